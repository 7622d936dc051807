package io.sluice.server.api;

import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.DescribeTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.InitProducerRequest;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** An idempotent producer's retried batch is appended once and answered with the original offsets. */
class IdempotentProduceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static ProduceRequest batch(long producerId, int sequence, String value) {
        return produce(sequence, "idem", record(null, value), record(null, value + "'")).setPartition(0)
                .setProducerId(producerId).setSequence(sequence).build();
    }

    @Test
    void duplicatesAreAnsweredWithTheOriginalOffsetsGapsAreRefusedAndTheStateSurvivesARestart() {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            var admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
            admin.createTopic(CreateTopicRequest.newBuilder().setName("idem").setPartitions(1).build());
            long producer = admin.initProducer(InitProducerRequest.getDefaultInstance()).getProducerId();
            assertThat(admin.initProducer(InitProducerRequest.getDefaultInstance()).getProducerId()).isNotEqualTo(producer);
            var stub = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());

            // Batch 1 is sent twice in one stream (a retry racing the original), batch 0 again on a new stream.
            List<ProduceResponse> first = stub.produce(Flux.just(batch(producer, 0, "a"), batch(producer, 1, "b"),
                    batch(producer, 1, "b"))).collectList().block(TIMEOUT);
            assertThat(first).extracting(ProduceResponse::getBaseOffset).containsExactly(0L, 2L, 2L);
            assertThat(first).extracting(ProduceResponse::getDuplicate).containsExactly(false, false, true);
            ProduceResponse retry = stub.produce(Flux.just(batch(producer, 0, "a"))).blockLast(TIMEOUT);
            assertThat(retry.getDuplicate()).isTrue();
            assertThat(retry.getBaseOffset()).isZero();

            ProduceResponse gap = stub.produce(Flux.just(batch(producer, 5, "x"))).blockLast(TIMEOUT);
            assertThat(gap.getErrorCode()).isEqualTo(ErrorCode.OUT_OF_ORDER_SEQUENCE);
            assertThat(gap.getStatusCode()).isEqualTo(Status.Code.FAILED_PRECONDITION.value());
            assertThat(gap.getErrorMessage()).contains("gap after 1");

            ProduceResponse noPartition = stub.produce(Flux.just(batch(producer, 2, "c").toBuilder().clearPartition().build()))
                    .blockLast(TIMEOUT);
            assertThat(noPartition.getErrorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(noPartition.getErrorMessage()).contains("must set its partition");

            fixture.restart();

            stub = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());
            ProduceResponse afterRestart = stub.produce(Flux.just(batch(producer, 1, "b"))).blockLast(TIMEOUT);
            assertThat(afterRestart.getDuplicate()).isTrue();
            assertThat(afterRestart.getBaseOffset()).isEqualTo(2);
            ProduceResponse next = stub.produce(Flux.just(batch(producer, 2, "c"))).blockLast(TIMEOUT);
            assertThat(next.getDuplicate()).isFalse();
            assertThat(next.getBaseOffset()).isEqualTo(4);
            long newProducer = AdminServiceGrpc.newBlockingStub(fixture.channel())
                    .initProducer(InitProducerRequest.getDefaultInstance()).getProducerId();
            assertThat(newProducer).isGreaterThan(producer);
            assertThat(AdminServiceGrpc.newBlockingStub(fixture.channel()).describeTopic(DescribeTopicRequest.newBuilder()
                    .setName("idem").build()).getTopic().getPartitions(0).getEndOffset()).isEqualTo(6);
        }
    }
}
