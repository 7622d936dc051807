package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** The queue-mode client against a real broker: receive and settle by hand, process with a function, administer. */
class QueueClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    BrokerFixture fixture;
    SluiceClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private void start(MutableClock clock) {
        fixture = clock == null ? BrokerFixture.start(dir) : BrokerFixture.start(dir, Map.of(), clock);
        client = SluiceClient.connect(fixture.bootstrap());
    }

    private void produce(String topic, int partitions, List<String> values) {
        client.admin().createTopic(topic, partitions).block(TIMEOUT);
        client.producer(ProducerOptions.strings())
                .send(Flux.fromIterable(values).map(v -> ProducerRecord.of(topic, v, v)))
                .blockLast(TIMEOUT);
    }

    private static List<String> values(int n) {
        return IntStream.range(0, n).mapToObj(i -> "v" + i).toList();
    }

    @Test
    void processAcksNacksAndRejectsByHowTheFunctionEnds() {
        start(null);
        produce("signups", 3, values(300));
        Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        ReactiveQueue<String, String> queue = client.queue(QueueOptions.strings().queue("emails", "signups")
                .start(StartPosition.earliest())
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50), 2));

        List<ProcessedRecord<String, String>> processed = queue.process(record -> {
                    int attempt = attempts.computeIfAbsent(record.value(), v -> new AtomicInteger()).incrementAndGet();
                    assertThat(record.deliveryCount()).isEqualTo(attempt);
                    if (record.value().equals("v13")) {
                        return Mono.error(new RejectRecordException("no such mailbox"));
                    }
                    if (record.value().equals("v42") && attempt < 3) {
                        return Mono.error(new IllegalStateException("smtp busy"));
                    }
                    if (record.value().equals("v77") && attempt == 1) {
                        throw new RetryRecordException(Duration.ZERO, "later");
                    }
                    return Mono.delay(Duration.ofMillis(1));
                }, 8)
                .take(300 + 2 + 1)
                .collectList()
                .block(TIMEOUT);

        assertThat(processed).allSatisfy(p -> assertThat(p.settleError()).isNull());
        assertThat(processed).filteredOn(p -> p.outcome() == ProcessedRecord.Outcome.ACKED).hasSize(299);
        assertThat(processed).filteredOn(p -> p.outcome() == ProcessedRecord.Outcome.REJECTED)
                .singleElement().satisfies(p -> assertThat(p.record().value()).isEqualTo("v13"));
        assertThat(processed).filteredOn(p -> p.outcome() == ProcessedRecord.Outcome.NACKED)
                .extracting(p -> p.record().value() + " " + p.error().getMessage())
                .containsExactlyInAnyOrder("v42 smtp busy", "v42 smtp busy", "v77 later");

        QueueInfo info = client.queueAdmin().describeQueue("emails").block(TIMEOUT);
        assertThat(info.backlog()).isZero();
        assertThat(info.deadLettered()).isEqualTo(1);
        assertThat(info.partitions()).hasSize(3);
        List<DeadLetterInfo> dead = client.queueAdmin().peekDeadLetters("signups.dlq", 10, false).collectList().block(TIMEOUT);
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(new String(d.value())).isEqualTo("v13");
            assertThat(d.reason()).isEqualTo("no such mailbox");
            assertThat(d.originalTopic()).isEqualTo("signups");
            assertThat(d.queue()).isEqualTo("emails");
            assertThat(d.deliveryCount()).isEqualTo(1);
        });
    }

    /** A subscriber that takes records only when the test asks, and hands them to the test thread. */
    private static final class Inbox<K, V> extends BaseSubscriber<QueueRecord<K, V>> {
        final BlockingQueue<QueueRecord<K, V>> records = new LinkedBlockingQueue<>();

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
        }

        @Override
        protected void hookOnNext(QueueRecord<K, V> record) {
            records.add(record);
        }

        QueueRecord<K, V> next() throws InterruptedException {
            request(1);
            QueueRecord<K, V> record = records.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(record).as("a record within " + TIMEOUT).isNotNull();
            return record;
        }
    }

    @Test
    void recordsAreSettledByHand() throws InterruptedException {
        MutableClock clock = new MutableClock(1_000_000);
        start(clock);
        produce("t", 1, values(3));
        ReactiveQueue<String, String> queue = client.queue(QueueOptions.strings().queue("q", "t")
                .start(StartPosition.earliest()).lockTimeout(Duration.ofSeconds(10)).prefetch(1, 1 << 20));
        Inbox<String, String> inbox = queue.receive().subscribeWith(new Inbox<>());
        try {
            QueueRecord<String, String> first = inbox.next();
            assertThat(first.value()).isEqualTo("v0");
            assertThat(first.deliveryCount()).isEqualTo(1);
            assertThat(first.lastFailure()).isEmpty();
            assertThat(first.lockTimeout()).isEqualTo(Duration.ofSeconds(10));
            first.nack(Duration.ZERO, "flaky").block(TIMEOUT);

            // v0 comes back at once, before v1: the lowest offset goes first.
            QueueRecord<String, String> again = inbox.next();
            assertThat(again.value()).isEqualTo("v0");
            assertThat(again.deliveryCount()).isEqualTo(2);
            assertThat(again.lastFailure()).isEqualTo("flaky");
            again.ack().block(TIMEOUT);
            StepVerifier.create(again.ack()).verifyErrorSatisfies(e -> assertThat(e)
                    .isInstanceOf(LockLostException.class).hasMessage("Record t-0@0 is settled already"));

            QueueRecord<String, String> second = inbox.next();
            assertThat(second.value()).isEqualTo("v1");
            second.extend(Duration.ofSeconds(30)).block(TIMEOUT);
            clock.advance(Duration.ofSeconds(20));
            assertThat(client.queueAdmin().describeQueue("q").block(TIMEOUT).inFlight()).as("extended").isEqualTo(1);
            clock.advance(Duration.ofSeconds(10));
            // Describe runs the queue's due timers: v1's lock has lapsed, so it is the next record out.
            assertThat(client.queueAdmin().describeQueue("q").block(TIMEOUT).inFlight()).isZero();

            QueueRecord<String, String> lapsed = inbox.next();
            assertThat(lapsed.value()).isEqualTo("v1");
            assertThat(lapsed.deliveryCount()).isEqualTo(2);
            assertThat(lapsed.lastFailure()).isEqualTo("lock timed out after 10000 ms");
            lapsed.reject("bad").block(TIMEOUT);
        } finally {
            inbox.dispose();
        }
        await().atMost(TIMEOUT).until(() -> client.queueAdmin().describeQueue("q").block(TIMEOUT).workers() == 0);
        QueueInfo info = client.queueAdmin().describeQueue("q").block(TIMEOUT);
        assertThat(info.deadLettered()).isEqualTo(1);
        assertThat(info.backlog()).as("v2, never asked for").isEqualTo(1);
        assertThat(info.inFlight()).isZero();
        StepVerifier.create(client.queueAdmin().peekDeadLetters("t.dlq", 10, false).map(DeadLetterInfo::reason))
                .expectNext("bad").verifyComplete();
    }

    @Test
    void aWorkerRidesOutABrokerRestart() {
        start(null);
        produce("t", 2, values(200));
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Set<String> unconfirmed = ConcurrentHashMap.newKeySet();
        // After 50 records the work waits for the restart, so that it surely comes mid-run.
        Sinks.Empty<Void> restarted = Sinks.empty();
        AtomicInteger started = new AtomicInteger();
        Disposable worker = client.queue(QueueOptions.strings().queue("q", "t").start(StartPosition.earliest()))
                .process(record -> started.incrementAndGet() <= 50 ? Mono.delay(Duration.ofMillis(1)) : restarted.asMono(), 4)
                .subscribe(p -> (p.settleError() == null ? acked : unconfirmed).add(p.record().value()));
        try {
            await().atMost(TIMEOUT).until(() -> acked.size() + unconfirmed.size() >= 50 && started.get() >= 54);
            fixture.restart();
            restarted.tryEmitEmpty();
            await().atMost(TIMEOUT).until(() -> client.queueAdmin().describeQueue("q").block(TIMEOUT).backlog() == 0);
            // An ack whose answer the restart cut off may have been stored (then the record is settled) or not
            // (then it came again and was acked): either way every record was processed, and none is left.
            Set<String> processed = new java.util.HashSet<>(acked);
            processed.addAll(unconfirmed);
            assertThat(processed).containsExactlyInAnyOrderElementsOf(values(200));
            assertThat(acked).hasSizeGreaterThan(200 - 4);
        } finally {
            worker.dispose();
        }
    }

    @Test
    void queuesAreAdministeredAndDeadLettersRedriven() {
        start(null);
        produce("t", 1, values(10));
        SluiceQueueAdmin admin = client.queueAdmin();
        client.queue(QueueOptions.strings().queue("q", "t").start(StartPosition.earliest()))
                .process(record -> record.value().equals("v5") || record.value().equals("v6")
                        ? Mono.error(new RejectRecordException("bad " + record.value())) : Mono.empty(), 2)
                .take(10)
                .blockLast(TIMEOUT);

        assertThat(admin.listQueues().collectList().block(TIMEOUT)).extracting(QueueInfo::name, QueueInfo::deadLetterTopic)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("q", "t.dlq"));
        assertThat(admin.alterQueue("q", Map.of("max.delivery.attempts", "9"), List.of()).block(TIMEOUT))
                .containsEntry("max.delivery.attempts", "9");
        StepVerifier.create(admin.describeQueue("nope")).verifyError(QueueNotFoundException.class);
        assertThat(admin.peekDeadLetters("t.dlq", 0, false).map(DeadLetterInfo::reason).collectList().block(TIMEOUT))
                .containsExactly("bad v5", "bad v6");
        assertThat(admin.redriveDeadLetters("t.dlq", null, 1).block(TIMEOUT)).isEqualTo(1);
        assertThat(admin.peekDeadLetters("t.dlq", 0, false).map(DeadLetterInfo::reason).collectList().block(TIMEOUT))
                .containsExactly("bad v6");

        List<String> again = client.queue(QueueOptions.strings().queue("q", "t"))
                .process(record -> Mono.empty(), 1)
                .take(1)
                .map(p -> p.record().value() + "@" + p.record().offset())
                .collectList()
                .block(TIMEOUT);
        assertThat(again).containsExactly("v5@10");
        await().atMost(TIMEOUT).until(() -> admin.describeQueue("q").block(TIMEOUT).workers() == 0);
        admin.deleteQueue("q").block(TIMEOUT);
        assertThat(admin.listQueues().collectList().block(TIMEOUT)).isEmpty();
    }
}
