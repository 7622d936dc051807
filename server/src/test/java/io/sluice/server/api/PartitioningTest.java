package io.sluice.server.api;

import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.server.testing.BrokerFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** The broker's partition choice: Kafka's for keys, an even spread for keyless batches. */
class PartitioningTest {
    @TempDir
    Path dir;

    @Test
    void keyedBatchesLandWhereKafkaWouldPutThemAndKeylessOnesSpreadEvenly() {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            AdminServiceGrpc.newBlockingStub(fixture.channel())
                    .createTopic(CreateTopicRequest.newBuilder().setName("t").setPartitions(12).build());
            var producer = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());

            List<ProduceRequest> keyed = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                keyed.add(produce(i, "t", record("user-" + i, "v")).build());
            }
            List<ProduceResponse> responses = producer.produce(Flux.fromIterable(keyed)).collectList()
                    .block(Duration.ofSeconds(20));
            for (ProduceResponse r : responses) {
                byte[] key = ("user-" + r.getRequestId()).getBytes(StandardCharsets.UTF_8);
                assertThat(r.getPartition()).isEqualTo(Utils.toPositive(Utils.murmur2(key)) % 12);
            }
            // The same key again goes to the same partition.
            ProduceResponse again = producer.produce(Flux.just(produce(5000, "t", record("user-7", "w")).build()))
                    .blockLast(Duration.ofSeconds(10));
            assertThat(again.getPartition()).isEqualTo(responses.get(7).getPartition());

            List<ProduceRequest> keyless = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                keyless.add(produce(i, "t", record(null, "v")).build());
            }
            Map<Integer, Integer> perPartition = new TreeMap<>();
            producer.produce(Flux.fromIterable(keyless)).toStream()
                    .forEach(r -> perPartition.merge(r.getPartition(), 1, Integer::sum));
            assertThat(perPartition).hasSize(12);
            assertThat(perPartition.values()).containsOnly(10);
        }
    }

    @Test
    void keyedRecordsForDifferentPartitionsInOneBatchAreRejectedWithoutAPartition() {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            AdminServiceGrpc.newBlockingStub(fixture.channel())
                    .createTopic(CreateTopicRequest.newBuilder().setName("t").setPartitions(12).build());
            var producer = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());
            // Find two keys on different partitions.
            String other = "b";
            for (int i = 0; Utils.toPositive(Utils.murmur2(other.getBytes(StandardCharsets.UTF_8))) % 12
                    == Utils.toPositive(Utils.murmur2("a".getBytes(StandardCharsets.UTF_8))) % 12; i++) {
                other = "b" + i;
            }
            ProduceResponse mixed = producer.produce(Flux.just(produce(1, "t", record("a", "1"), record(other, "2")).build()))
                    .blockLast(Duration.ofSeconds(10));
            assertThat(mixed.getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(mixed.getErrorMessage()).contains("different partitions");
            ProduceResponse explicit = producer.produce(Flux.just(produce(2, "t", record("a", "1"), record(other, "2"))
                    .setPartition(4).build())).blockLast(Duration.ofSeconds(10));
            assertThat(explicit.getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE);
            assertThat(explicit.getPartition()).isEqualTo(4);
        }
    }
}
