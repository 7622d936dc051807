package io.sluice.server.api;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static io.sluice.server.testing.Protos.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.DescribeTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.testing.BrokerProcess;
import io.sluice.server.testing.Protos;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** What the broker acknowledged survives kill -9 of its process, and a clean SIGTERM stop. */
class CrashDurabilityTest {
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SIGKILL", "SIGTERM"})
    void everyAcknowledgedRecordSurvivesTheBrokerStopping(String signal) throws Exception {
        Map<String, ProduceResponse> acked = new ConcurrentHashMap<>();
        try (BrokerProcess broker = BrokerProcess.start(dir)) {
            ManagedChannel channel = channel(broker.port());
            AdminServiceGrpc.newBlockingStub(channel)
                    .createTopic(CreateTopicRequest.newBuilder().setName("durable").setPartitions(PARTITIONS).build());
            var producer = ReactorProducerServiceGrpc.newReactorStub(channel);
            // An endless stream of batches; kill the broker while many are in flight.
            producer.produce(Flux.range(0, 1_000_000).map(i -> produce(i, "durable", record("k" + (i % 16), "v" + i)).build()))
                    .subscribe(r -> {
                        if (r.getErrorCode() == ErrorCode.ERROR_CODE_NONE) {
                            acked.put("v" + r.getRequestId(), r);
                        }
                    }, e -> { });
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 2000);
            if (signal.equals("SIGKILL")) {
                broker.kill();
            } else {
                // A clean stop: queued appends are committed and the process exits by itself.
                broker.terminate();
            }
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(acked.size()).isGreaterThanOrEqualTo(2000);

        try (BrokerProcess broker = BrokerProcess.start(dir)) {
            ManagedChannel channel = channel(broker.port());
            long end = AdminServiceGrpc.newBlockingStub(channel)
                    .describeTopic(DescribeTopicRequest.newBuilder().setName("durable").build())
                    .getTopic().getPartitionsList().stream().mapToLong(p -> p.getEndOffset()).sum();
            assertThat(end).isGreaterThanOrEqualTo(acked.size());

            Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
            in.tryEmitNext(subscribe("durable", earliest()));
            in.tryEmitNext(credit(end, Long.MAX_VALUE / 2));
            Map<String, long[]> found = new HashMap<>();
            ReactorConsumerServiceGrpc.newReactorStub(channel).consume(in.asFlux())
                    .filter(ConsumeResponse::hasBatch).map(ConsumeResponse::getBatch)
                    .takeUntil(b -> (found.size() + b.getBatch().getRecordCount()) >= end)
                    .doOnNext(b -> collect(b, found))
                    .blockLast(Duration.ofSeconds(60));
            in.tryEmitComplete();
            for (ProduceResponse ack : acked.values()) {
                String value = "v" + ack.getRequestId();
                assertThat(found).containsKey(value);
                assertThat(found.get(value)).containsExactly(ack.getPartition(), ack.getBaseOffset());
            }
            channel.shutdownNow();
        }
    }

    private static void collect(Batch batch, Map<String, long[]> found) {
        try {
            List<Record> records = RecordSet.parseFrom(batch.getBatch().getRecords()).getRecordsList();
            for (int i = 0; i < records.size(); i++) {
                found.put(Protos.utf8(records.get(i).getValue()),
                        new long[] {batch.getPartition(), batch.getBatch().getBaseOffset() + i});
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }
}
