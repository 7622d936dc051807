package io.sluice.server.log;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.offset;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.OffsetReset;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.StartPosition;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** Retention by time and size, the durable log start offset, and what consumers below the start get. */
class RetentionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(T0);
    BrokerFixture fixture;
    ReactorProducerServiceGrpc.ReactorProducerServiceStub producer;
    ReactorConsumerServiceGrpc.ReactorConsumerServiceStub consumer;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir, Map.of(BrokerConfig.LOG_CLEANER_INTERVAL_MS, "20"), clock);
        producer = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());
        consumer = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel());
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private void createTopic(String name, Map<String, String> configs) {
        AdminServiceGrpc.newBlockingStub(fixture.channel())
                .createTopic(CreateTopicRequest.newBuilder().setName(name).setPartitions(1).putAllConfigs(configs).build());
    }

    private LocalPartitionLog log(String topic) {
        return (LocalPartitionLog) fixture.broker().logs().topic(topic).partition(0);
    }

    /** Produces {@code batches} batches of {@code perBatch} records of {@code valueBytes} bytes each; returns their base offsets. */
    private List<Long> produceBatches(String topic, int batches, int perBatch, int valueBytes) {
        List<ProduceRequest> requests = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            ProduceRequest.Builder request = produce(b, topic).setPartition(0);
            for (int i = 0; i < perBatch; i++) {
                request.addRecords(record(null, "v".repeat(valueBytes)));
            }
            requests.add(request.build());
        }
        List<ProduceResponse> responses = producer.produce(Flux.fromIterable(requests)).collectList().block(TIMEOUT);
        assertThat(responses).allSatisfy(r -> assertThat(r.getErrorMessage()).isEmpty());
        return responses.stream().map(ProduceResponse::getBaseOffset).toList();
    }

    private static ConsumeRequest subscribe(String topic, StartPosition start, OffsetReset reset) {
        return ConsumeRequest.newBuilder().setSubscribe(Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic(topic))
                .setStart(start)
                .setOffsetReset(reset)).build();
    }

    private Flux<Batch> batches(Sinks.Many<ConsumeRequest> in) {
        return consumer.consume(in.asFlux()).filter(ConsumeResponse::hasBatch).map(ConsumeResponse::getBatch);
    }

    @Test
    void retentionMsDeletesExpiredBatchesFromReadsAndFromDisk() {
        createTopic("r", Map.of("retention.ms", "60000", "retention.bytes", "-1"));
        LocalPartitionLog log = log("r");
        produceBatches("r", 40, 10, 5_000);
        clock.advance(Duration.ofSeconds(30));
        List<Long> young = produceBatches("r", 2, 10, 5_000);
        log.flush();
        long diskBefore = log.diskBytes();
        assertThat(diskBefore).isGreaterThan(2_000_000);
        assertThat(log.startOffset()).isZero();

        clock.advance(Duration.ofSeconds(31));
        await().atMost(TIMEOUT).until(() -> log.startOffset() == young.get(0));
        assertThat(log.highWatermark()).isEqualTo(420);
        // The space comes back: RocksDB's own count of live SST bytes drops to about the two young batches.
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(log.diskBytes()).isLessThan(diskBefore / 10));
        assertThat(log.storedBytes()).isLessThan(200_000);

        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(subscribe("r", earliest(), OffsetReset.OFFSET_RESET_NONE));
        in.tryEmitNext(credit(1_000, 1 << 20));
        StepVerifier.create(batches(in))
                .assertNext(b -> assertThat(b.getBatch().getBaseOffset()).isEqualTo(400))
                .assertNext(b -> assertThat(b.getBatch().getBaseOffset()).isEqualTo(410))
                .expectNoEvent(Duration.ofMillis(100))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void retentionBytesKeepsTheNewestBatchesWithinTheLimit() {
        createTopic("s", Map.of("retention.bytes", "200000"));
        LocalPartitionLog log = log("s");
        List<Long> bases = produceBatches("s", 10, 10, 5_000);
        // Each batch is a little over 50 000 bytes: three fit below 200 000, the fourth would not.
        await().atMost(TIMEOUT).until(() -> log.startOffset() == bases.get(7));
        assertThat(log.storedBytes()).isBetween(150_000L, 200_000L);
        assertThat(log.read(0, 1 << 20, 1_000).belowStart(0)).isTrue();
        assertThat(log.read(70, 1 << 20, 1_000).batches()).extracting(b -> b.getBaseOffset()).containsExactly(70L, 80L, 90L);
    }

    @Test
    void aLogEmptiedByRetentionNeverReusesOffsetsAfterARestart() {
        createTopic("e", Map.of("retention.ms", "1000"));
        produceBatches("e", 5, 2, 10);
        clock.advance(Duration.ofSeconds(2));
        await().atMost(TIMEOUT).until(() -> log("e").startOffset() == 10);
        assertThat(log("e").highWatermark()).isEqualTo(10);

        fixture.restart();
        producer = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());
        assertThat(log("e").startOffset()).isEqualTo(10);
        assertThat(log("e").highWatermark()).isEqualTo(10);
        assertThat(produceBatches("e", 1, 1, 10)).containsExactly(10L);
    }

    @Test
    void anOffsetBelowTheStartFailsUnlessTheSubscriptionChoseAResetPolicy() {
        createTopic("o", Map.of("retention.ms", "1000"));
        produceBatches("o", 3, 5, 10);
        clock.advance(Duration.ofSeconds(2));
        await().atMost(TIMEOUT).until(() -> log("o").startOffset() == 15);
        produceBatches("o", 1, 5, 10);

        Sinks.Many<ConsumeRequest> none = Sinks.many().unicast().onBackpressureBuffer();
        none.tryEmitNext(subscribe("o", offset(3), OffsetReset.OFFSET_RESET_NONE));
        StepVerifier.create(consumer.consume(none.asFlux()))
                .expectErrorSatisfies(e -> {
                    assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
                    assertThat(Status.fromThrowable(e).getDescription())
                            .contains("OFFSET_OUT_OF_RANGE", "Start offset 3 of o-0 was deleted by retention");
                })
                .verify(TIMEOUT);

        Sinks.Many<ConsumeRequest> earliest = Sinks.many().unicast().onBackpressureBuffer();
        earliest.tryEmitNext(subscribe("o", offset(3), OffsetReset.OFFSET_RESET_EARLIEST));
        earliest.tryEmitNext(credit(100, 1 << 20));
        StepVerifier.create(consumer.consume(earliest.asFlux()))
                .assertNext(r -> assertThat(r.getSubscribed().getPartitions(0).getStartOffset()).isEqualTo(15))
                .assertNext(r -> assertThat(r.getBatch().getBatch().getBaseOffset()).isEqualTo(15))
                .thenCancel()
                .verify(TIMEOUT);

        Sinks.Many<ConsumeRequest> latest = Sinks.many().unicast().onBackpressureBuffer();
        latest.tryEmitNext(subscribe("o", offset(3), OffsetReset.OFFSET_RESET_LATEST));
        StepVerifier.create(consumer.consume(latest.asFlux()))
                .assertNext(r -> assertThat(r.getSubscribed().getPartitions(0).getStartOffset()).isEqualTo(20))
                .thenCancel()
                .verify(TIMEOUT);
    }

    /** Six one-record batches, then (30 s later) two more; returns the offsets of those two. */
    private List<Long> oldAndYoungBatches(String topic) {
        createTopic(topic, Map.of("retention.ms", "60000"));
        produceBatches(topic, 6, 1, 10);
        clock.advance(Duration.ofSeconds(30));
        return produceBatches(topic, 2, 1, 10);
    }

    /** Expires the six old batches and waits until retention deleted them. */
    private void expireOldBatches(String topic, long newStart) {
        clock.advance(Duration.ofSeconds(31));
        await().atMost(TIMEOUT).until(() -> log(topic).startOffset() == newStart);
    }

    @Test
    void aConsumerThatRetentionOvertakesFailsWithoutAResetPolicy() {
        List<Long> young = oldAndYoungBatches("f");
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(subscribe("f", earliest(), OffsetReset.OFFSET_RESET_NONE));
        in.tryEmitNext(credit(1, 1 << 20));
        StepVerifier.create(batches(in))
                .assertNext(b -> assertThat(b.getBatch().getBaseOffset()).isZero())
                .then(() -> {
                    expireOldBatches("f", young.get(0));
                    in.tryEmitNext(credit(10, 1 << 20));
                })
                .expectErrorSatisfies(e -> assertThat(Status.fromThrowable(e).getDescription())
                        .contains("OFFSET_OUT_OF_RANGE", "Position 1 of f-0 was deleted by retention"))
                .verify(TIMEOUT);
    }

    @Test
    void aConsumerThatRetentionOvertakesGoesOnFromTheStartWithEarliest() {
        List<Long> young = oldAndYoungBatches("g");
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(subscribe("g", earliest(), OffsetReset.OFFSET_RESET_EARLIEST));
        in.tryEmitNext(credit(1, 1 << 20));
        StepVerifier.create(batches(in))
                .assertNext(b -> assertThat(b.getBatch().getBaseOffset()).isZero())
                .then(() -> {
                    expireOldBatches("g", young.get(0));
                    in.tryEmitNext(credit(10, 1 << 20));
                })
                .assertNext(b -> assertThat(b.getBatch().getBaseOffset()).isEqualTo(young.get(0)))
                .assertNext(b -> assertThat(b.getBatch().getBaseOffset()).isEqualTo(young.get(1)))
                .expectNoEvent(Duration.ofMillis(100))
                .thenCancel()
                .verify(TIMEOUT);
    }
}
