package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The reactive producer obeys broker credit, so a full backlog slows it to the pace of the consumers. */
class ProducerBackpressureTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final long CREDIT = 50;
    private static final long BACKLOG = 100;

    @TempDir
    Path dir;
    BrokerFixture fixture;
    SluiceClient client;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir, Map.of(BrokerConfig.PRODUCE_CREDIT_RECORDS, String.valueOf(CREDIT),
                BrokerConfig.PRODUCE_THROTTLE_RECHECK_MS, "20"));
        client = SluiceClient.connect(fixture.bootstrap());
    }

    @AfterEach
    void stop() {
        client.close();
        fixture.close();
    }

    @Test
    void aProducerSlowsToAConsumerThatCommitsAHundredRecordsPerSecond() {
        client.admin().createTopic("paced", 1, Map.of("backlog.max.records", String.valueOf(BACKLOG))).block(TIMEOUT);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings().linger(Duration.ofMillis(2))
                .batchBytes(400)); // ~25 records a batch: within the credit window
        AtomicLong acked = new AtomicLong();
        AtomicLong committed = new AtomicLong();
        AtomicLong received = new AtomicLong();
        Disposable producing = producer.send(Flux.range(0, 1_000_000).map(i -> ProducerRecord.of("paced", null, "value-" + i)))
                .subscribe(result -> acked.incrementAndGet());
        Disposable consuming = client.consumer(ConsumerOptions.strings().topics("paced").start(StartPosition.earliest()))
                .receive().subscribe(record -> received.incrementAndGet());
        // The consumer commits what it has read, 10 records every 100 ms at most: ~100 records/s.
        Disposable committing = Flux.interval(Duration.ofMillis(100)).onBackpressureDrop()
                .concatMap(tick -> {
                    long next = Math.min(received.get(), committed.get() + 10);
                    return client.admin().commitOffsets("app", "paced", Map.of(0, next)).doOnSuccess(v -> committed.set(next));
                })
                .subscribe();
        try {
            await().atMost(TIMEOUT).until(() -> committed.get() >= 100);
            long t1 = System.nanoTime();
            long a1 = acked.get();
            await().atMost(TIMEOUT).until(() -> committed.get() >= 300);
            long t2 = System.nanoTime();
            long a2 = acked.get();
            double rate = (a2 - a1) / ((t2 - t1) / 1e9);
            // Unthrottled, this producer acks tens of thousands of records per second.
            assertThat(rate).isBetween(30.0, 400.0);
            // Never more than the backlog limit ahead of the consumer (plus one credit window in transit).
            assertThat(acked.get() - committed.get()).isLessThanOrEqualTo(BACKLOG + CREDIT);
            assertThat(producer.creditWaitTime()).isPositive();
            // It waited for credit instead of sending beyond it.
            assertThat(fixture.broker().meters().counter("sluice.produce.credit.exceeded").count()).isZero();
            assertThat(fixture.broker().meters().summary("sluice.produce.credit.inflight.records").max())
                    .isPositive().isLessThanOrEqualTo(CREDIT);
        } finally {
            committing.dispose();
            producing.dispose();
            consuming.dispose();
        }
    }

    @Test
    void withDropTheBatchesBeyondCreditAreDroppedAndReported() {
        client.admin().createTopic("dropping", 1, Map.of("backlog.max.records", "20")).block(TIMEOUT);
        List<DroppedBatch> dropped = new CopyOnWriteArrayList<>();
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings()
                .batchBytes(200).onCreditExhausted(CreditExhausted.DROP, dropped::add));
        // Prime the stream so it holds its initial credit.
        producer.send(ProducerRecord.of("dropping", null, "first")).block(TIMEOUT);
        List<SendResult<Void>> results = new CopyOnWriteArrayList<>();
        AtomicLong done = new AtomicLong();
        producer.send(Flux.range(0, 500).map(i -> ProducerRecord.<String, String>of("dropping", null, "v" + i)))
                .subscribe(results::add, e -> done.set(-1), () -> done.set(1));
        await().atMost(TIMEOUT).until(() -> !dropped.isEmpty());
        // Batches sent within credit before the throttle wait in the broker for the full backlog: consume it all.
        await().atMost(TIMEOUT).until(() -> {
            long end = client.admin().describeTopic("dropping").block(TIMEOUT).partitions().get(0).endOffset();
            client.admin().commitOffsets("app", "dropping", Map.of(0, end)).block(TIMEOUT);
            return done.get() != 0;
        });
        assertThat(done.get()).isEqualTo(1);
        assertThat(dropped).isNotEmpty();
        assertThat(dropped.get(0).reason()).contains("credit exhausted");
        long droppedRecords = dropped.stream().mapToLong(DroppedBatch::recordCount).sum();
        assertThat(results.size() + droppedRecords).isEqualTo(500);
        // Every record was either acknowledged or reported dropped, none twice.
        assertThat(results).extracting(SendResult::offset).doesNotHaveDuplicates();
    }

    @Test
    void withErrorTheSendFailsWithALimitExceededNamingTheThrottle() {
        client.admin().createTopic("erroring", 1, Map.of("backlog.max.records", "20")).block(TIMEOUT);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings()
                .batchBytes(200).onCreditExhausted(CreditExhausted.ERROR, dropped -> { }));
        producer.send(ProducerRecord.of("erroring", null, "first")).block(TIMEOUT);
        StepVerifier.create(producer.send(Flux.range(0, 500).map(i -> ProducerRecord.<String, String>of("erroring", null, "v" + i))))
                .thenConsumeWhile(result -> true)
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(LimitExceededException.class).hasMessageContaining("producer credit exhausted");
                    // The client ran out of credit itself: the broker gave no hint.
                    assertThat(((LimitExceededException) e).retryAfter()).isZero();
                })
                .verify(TIMEOUT);
    }
}
