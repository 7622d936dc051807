package io.sluice.server.api;

import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.proto.v1.Acks;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.AlterTopicConfigsRequest;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** Acknowledgement levels, the per-request batch size limit and the per-stream cap on batches in flight. */
class AcksAndLimitsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_IN_FLIGHT = 2;

    @TempDir
    Path dir;
    BrokerFixture fixture;
    AdminServiceGrpc.AdminServiceBlockingStub admin;
    ReactorProducerServiceGrpc.ReactorProducerServiceStub producer;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir, Map.of(BrokerConfig.PRODUCE_MAX_IN_FLIGHT, String.valueOf(MAX_IN_FLIGHT)));
        admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
        producer = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private void createTopic(String name, Map<String, String> configs) {
        admin.createTopic(CreateTopicRequest.newBuilder().setName(name).setPartitions(1).putAllConfigs(configs).build());
    }

    private static ProduceRequest batch(long id, Acks acks, String value) {
        return produce(id, "a", record(null, value)).setPartition(0).setAcks(acks).build();
    }

    @Test
    void leaderAndAllAnswerEachBatchOnceAppendedAndNoneAnswersNothingYetAppends() {
        createTopic("a", Map.of());
        List<ProduceResponse> responses = producer.produce(Flux.just(
                        batch(1, Acks.ACKS_LEADER, "leader"),
                        batch(2, Acks.ACKS_ALL, "all"),
                        batch(3, Acks.ACKS_NONE, "none"),
                        // A failing batch with acks=none gets no error response either.
                        produce(4, "a", record(null, "bad")).setPartition(7).setAcks(Acks.ACKS_NONE).build(),
                        batch(5, Acks.ACKS_UNSPECIFIED, "default"),
                        batch(6, Acks.ACKS_NONE, "none again")))
                .collectList().block(TIMEOUT);
        assertThat(responses).extracting(ProduceResponse::getRequestId).containsExactly(1L, 2L, 5L);
        assertThat(responses).extracting(ProduceResponse::getBaseOffset).containsExactly(0L, 1L, 3L);
        assertThat(responses).allSatisfy(r -> assertThat(r.getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE));
        // The unanswered batches were appended all the same: the stream ended only after they were.
        assertThat(fixture.broker().logs().topic("a").partition(0).highWatermark()).isEqualTo(5);
    }

    @Test
    void aBatchOverMaxBatchBytesFailsAloneWithAnErrorNamingTheLimit() {
        createTopic("a", Map.of("max.batch.bytes", "1000"));
        ProduceRequest tooBig = produce(1, "a", record(null, "x".repeat(600)), record(null, "y".repeat(600)))
                .setPartition(0).build();
        List<ProduceResponse> responses = producer.produce(Flux.just(tooBig, batch(2, Acks.ACKS_LEADER, "small")))
                .collectList().block(TIMEOUT);
        assertThat(responses.get(0).getErrorCode()).isEqualTo(ErrorCode.INVALID_BATCH);
        assertThat(responses.get(0).getStatusCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT.value());
        assertThat(responses.get(0).getErrorMessage()).contains("max.batch.bytes=1000", "topic 'a'");
        assertThat(responses.get(1).getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE);
        assertThat(responses.get(1).getBaseOffset()).isZero();
    }

    @Test
    void oneStreamNeverHasMoreThanProduceMaxInFlightBatchesInTheBroker() {
        // The first batch fills the backlog; with policy block the next ones wait inside the broker.
        createTopic("a", Map.of("backlog.max.records", "1", "backlog.policy", "block"));
        AtomicInteger sent = new AtomicInteger();
        List<ProduceResponse> responses = new CopyOnWriteArrayList<>();
        String value = "v".repeat(300_000);
        Disposable stream = producer.produce(Flux.range(0, 40)
                        .map(i -> batch(i, Acks.ACKS_LEADER, value))
                        .doOnNext(request -> sent.incrementAndGet()))
                .subscribe(responses::add);
        try {
            await().atMost(TIMEOUT).until(() -> responses.size() == 1);
            // The broker holds MAX_IN_FLIGHT batches and reads no more; what the client could send beyond them
            // is what fits the HTTP/2 window (1 MiB, three of these batches) and the client's own buffer.
            await().atMost(TIMEOUT).during(Duration.ofMillis(300)).until(() -> sent.get() <= 1 + MAX_IN_FLIGHT + 6);
            assertThat(responses).hasSize(1);

            admin.alterTopicConfigs(AlterTopicConfigsRequest.newBuilder().setName("a")
                    .putSet("backlog.max.records", "-1").build());
            await().atMost(TIMEOUT).until(() -> responses.size() == 40);
            assertThat(responses).extracting(ProduceResponse::getBaseOffset)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 40).boxed().toList());
        } finally {
            stream.dispose();
        }
    }
}
