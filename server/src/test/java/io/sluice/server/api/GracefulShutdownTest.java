package io.sluice.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ProducerCredit;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.ReactorAdminServiceGrpc;
import io.sluice.proto.v1.ThrottleReason;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.BrokerProcess;
import io.sluice.server.testing.CreditProducer;
import io.sluice.server.testing.LogContents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

class GracefulShutdownTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aProducerIsToldShuttingDownAndEveryAppendedBatchIsAnsweredAndSurvives() throws Exception {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            ReactorAdminServiceGrpc.newReactorStub(fixture.channel())
                    .createTopic(CreateTopicRequest.newBuilder().setName("events").setPartitions(2).build()).block(WAIT);
            try (CreditProducer producer = new CreditProducer(fixture.channel(), "events", 2, 5_000)) {
                await().atMost(WAIT).until(() -> producer.ackedCount() >= 200);
                fixture.broker().drain();

                ProducerCredit notice = producer.shutdownNotice().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(notice.getReason()).isEqualTo(ThrottleReason.SHUTTING_DOWN);
                assertThat(notice.getRecords()).isZero();
                assertThat(notice.getBytes()).isZero();
                assertThat(notice.getMessage()).contains("shutting down");
                Status end = producer.ended().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(end.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(end.getDescription()).contains("BROKER_UNAVAILABLE", "shutting down");
                // Batches the broker read but did not append were refused as such, never silently dropped.
                assertThat(producer.refused()).allSatisfy(r ->
                        assertThat(r.getErrorCode()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE));
                Map<List<Long>, String> acked = producer.acked();

                fixture.restart();
                Map<List<Long>, String> stored = LogContents.read(fixture.channel(), "events", WAIT);
                // Every acknowledged record is there, and the broker appended nothing it did not acknowledge.
                assertThat(stored).isEqualTo(acked);
            }
        }
    }

    @Test
    void aBatchWaitingForBacklogRoomDoesNotHoldTheDrainAndIsNotAppended() throws Exception {
        try (BrokerFixture fixture = BrokerFixture.start(dir, Map.of("shutdown.timeout.ms", "60000"))) {
            ReactorAdminServiceGrpc.newReactorStub(fixture.channel()).createTopic(CreateTopicRequest.newBuilder()
                    .setName("full").setPartitions(1).putConfigs("backlog.max.records", "1")
                    .putConfigs("backlog.policy", "block").build()).block(WAIT);
            List<ProduceResponse> responses = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.CompletableFuture<Status> ended = new java.util.concurrent.CompletableFuture<>();
            // The first batch fills the backlog; the second waits for room that never comes.
            ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                    .produce(Flux.just(produce(1, "full", record(null, "first")).setPartition(0).build(),
                            produce(2, "full", record(null, "second")).setPartition(0).build())
                            .concatWith(Flux.never()))
                    .subscribe(responses::add, e -> ended.complete(Status.fromThrowable(e)), () -> ended.complete(Status.OK));
            await().atMost(WAIT).until(() -> responses.size() == 1);

            long started = System.nanoTime();
            fixture.broker().drain();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(ended.get(WAIT.toSeconds(), TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            // Read before the drain, the waiting batch is refused; read after, it is never answered: either way
            // it was not appended.
            assertThat(responses).hasSizeBetween(1, 2);
            assertThat(responses.get(0).getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE);
            responses.stream().skip(1).forEach(r -> assertThat(r.getErrorCode()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE));
            fixture.restart();
            assertThat(LogContents.read(fixture.channel(), "full", WAIT)).containsOnly(Map.entry(List.of(0L, 0L), "first"));
        }
    }

    @Test
    void sigtermDrainsProducersAndKeepsEveryAcknowledgedRecord() throws Exception {
        Path data = dir.resolve("data");
        Map<List<Long>, String> acked;
        try (BrokerProcess broker = BrokerProcess.start(data, "--shutdown-timeout-ms", "20000")) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", broker.port()).usePlaintext().build();
            try (CreditProducer producer = new CreditProducer(channel, "events", 2, 5_000)) {
                ReactorAdminServiceGrpc.newReactorStub(channel)
                        .createTopic(CreateTopicRequest.newBuilder().setName("events").setPartitions(2).build())
                        .block(WAIT);
                await().atMost(WAIT).until(() -> producer.ackedCount() >= 200);
                long sigterm = System.nanoTime();
                int exit = broker.terminate();
                assertThat(Duration.ofNanos(System.nanoTime() - sigterm)).isLessThan(Duration.ofSeconds(20));
                // 128 + SIGTERM: the JVM's exit status once its shutdown hook, the drain, has run.
                assertThat(exit).isIn(0, 143);
                assertThat(producer.shutdownNotice().get(WAIT.toSeconds(), TimeUnit.SECONDS).getReason())
                        .isEqualTo(ThrottleReason.SHUTTING_DOWN);
                assertThat(producer.ended().get(WAIT.toSeconds(), TimeUnit.SECONDS).getCode())
                        .isEqualTo(Status.Code.UNAVAILABLE);
                acked = producer.acked();
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        try (BrokerFixture fixture = BrokerFixture.start(data)) {
            Map<List<Long>, String> stored = LogContents.read(fixture.channel(), "events", WAIT);
            assertThat(stored).containsAllEntriesOf(acked);
        }
    }
}
