package io.sluice.server.queue;

import static io.sluice.server.queue.QueueTesting.TIMEOUT;
import static io.sluice.server.queue.QueueTesting.createTopic;
import static io.sluice.server.queue.QueueTesting.describe;
import static io.sluice.server.queue.QueueTesting.produce;
import static io.sluice.server.queue.QueueTesting.settle;
import static io.sluice.server.queue.QueueTesting.values;
import static io.sluice.server.testing.QueueWorker.ack;
import static io.sluice.server.testing.QueueWorker.nack;
import static io.sluice.server.testing.QueueWorker.reject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.proto.Murmur2;
import io.sluice.proto.v1.DeadLetter;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.Header;
import io.sluice.proto.v1.PeekDeadLettersRequest;
import io.sluice.proto.v1.QueueAdminServiceGrpc;
import io.sluice.proto.v1.QueueDescription;
import io.sluice.proto.v1.QueueOutcomesResult;
import io.sluice.proto.v1.QueueRecord;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RedriveDeadLettersRequest;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.MutableClock;
import io.sluice.server.testing.Protos;
import io.sluice.server.testing.QueueWorker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/** The tests of issue #8 (queue mode), each on a real broker over loopback gRPC. */
class QueueModeTest {
    @TempDir
    Path dir;
    BrokerFixture fixture;
    final List<QueueWorker> workers = new ArrayList<>();

    @AfterEach
    void stop() {
        workers.forEach(QueueWorker::close);
        if (fixture != null) {
            fixture.close();
        }
    }

    private QueueWorker worker(String queue, String topic, Map<String, String> config, long credit,
                               java.util.function.BiConsumer<QueueWorker, QueueRecord> handler) {
        QueueWorker worker = QueueWorker.start(fixture.channel(), queue, topic, config, credit, handler);
        workers.add(worker);
        worker.subscribed.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        return worker;
    }

    @Test
    void tenWorkersOnOnePartitionAllGetWorkAndEachRecordIsAckedExactlyOnce() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "jobs", 1);
        produce(fixture.channel(), "jobs", 0, values(10_000));

        Map<Long, AtomicInteger> acked = new ConcurrentHashMap<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        for (int w = 0; w < 10; w++) {
            worker("work", "jobs", Map.of(), 20, (worker, record) -> worker.send(ack(record)).thenAccept(result -> {
                if (result.getErrorsCount() > 0) {
                    problems.add(result.toString());
                } else {
                    acked.computeIfAbsent(record.getOffset(), o -> new AtomicInteger()).incrementAndGet();
                }
                worker.credit(1);
            }));
        }

        await().atMost(TIMEOUT).until(() -> acked.size() == 10_000);
        assertThat(problems).isEmpty();
        assertThat(acked.keySet()).containsExactlyInAnyOrderElementsOf(LongStream.range(0, 10_000).boxed().toList());
        assertThat(acked.values()).allMatch(count -> count.get() == 1);
        assertThat(workers).allSatisfy(w -> assertThat(w.received).isNotEmpty());
        // Every record was delivered once: no lock lapsed, nothing was redelivered.
        assertThat(workers.stream().mapToInt(w -> w.received.size()).sum()).isEqualTo(10_000);
        QueueDescription queue = describe(fixture.channel(), "work");
        assertThat(queue.getBacklog()).isZero();
        assertThat(queue.getInFlight()).isZero();
        assertThat(queue.getWorkers()).isEqualTo(10);
        assertThat(queue.getPartitions(0).getSettledUpTo()).isEqualTo(10_000);
    }

    @Test
    void aPoisonRecordEndsInTheDeadLetterTopicAfterFiveDeliveriesWhileHealthyRecordsFlow() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "orders", 1);
        List<Record> records = new ArrayList<>();
        records.add(Record.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("k"))
                .setValue(com.google.protobuf.ByteString.copyFromUtf8("poison"))
                .addHeaders(Header.newBuilder().setKey("trace").setValue(com.google.protobuf.ByteString.copyFromUtf8("t-1")))
                .setTimestampMs(1234).build());
        records.addAll(values(199));
        produce(fixture.channel(), "orders", 0, records);

        List<String> events = new CopyOnWriteArrayList<>();
        // Backoff 10, 20, 40, 80 ms between the poison's deliveries: the healthy records go meanwhile.
        Map<String, String> config = Map.of("backoff.initial.ms", "10", "backoff.multiplier", "2");
        for (int w = 0; w < 2; w++) {
            worker("orders-q", "orders", config, 10, (worker, record) -> {
                boolean poison = Protos.utf8(record.getRecord().getValue()).equals("poison");
                events.add((poison ? "poison#" + record.getDeliveryCount() : "ok"));
                worker.send(poison ? nack(record, "cannot parse") : ack(record)).thenRun(() -> worker.credit(1));
            });
        }

        await().atMost(TIMEOUT).until(() -> describe(fixture.channel(), "orders-q").getDeadLettered() == 1
                && events.stream().filter("ok"::equals).count() == 199);
        assertThat(events.stream().filter(e -> e.startsWith("poison")).toList())
                .containsExactly("poison#1", "poison#2", "poison#3", "poison#4", "poison#5");
        int first = events.indexOf("poison#1");
        int last = events.indexOf("poison#5");
        assertThat(events.subList(first, last)).as("healthy records acked while the poison waited").contains("ok");

        List<DeadLetter> dead = QueueAdminServiceGrpc.newBlockingStub(fixture.channel())
                .peekDeadLetters(PeekDeadLettersRequest.newBuilder().setTopic("orders.dlq").build()).getDeadLettersList();
        assertThat(dead).hasSize(1);
        DeadLetter letter = dead.get(0);
        assertThat(letter.getOriginalTopic()).isEqualTo("orders");
        assertThat(letter.getOriginalPartition()).isZero();
        assertThat(letter.getOriginalOffset()).isZero();
        assertThat(letter.getDeliveryCount()).isEqualTo(5);
        assertThat(letter.getReason()).isEqualTo("cannot parse");
        assertThat(letter.getQueue()).isEqualTo("orders-q");
        assertThat(letter.getDeadLetteredMs()).isPositive();
        // The record itself keeps key, value, timestamp and headers; the dead-letter headers come on top.
        assertThat(Protos.utf8(letter.getRecord().getKey())).isEqualTo("k");
        assertThat(Protos.utf8(letter.getRecord().getValue())).isEqualTo("poison");
        assertThat(letter.getRecord().getTimestampMs()).isEqualTo(1234);
        assertThat(letter.getRecord().getHeadersList()).extracting(Header::getKey).containsExactly("trace",
                "sluice.dlq.topic", "sluice.dlq.partition", "sluice.dlq.offset", "sluice.dlq.queue",
                "sluice.dlq.delivery.count", "sluice.dlq.reason", "sluice.dlq.time");
        QueueDescription queue = describe(fixture.channel(), "orders-q");
        assertThat(queue.getBacklog()).isZero();
        assertThat(queue.getDlqTopic()).isEqualTo("orders.dlq");
    }

    @Test
    void recordsOfAHungWorkerAreRedeliveredToOthersAfterTheLockTimeout() {
        MutableClock clock = new MutableClock(1_000_000);
        fixture = BrokerFixture.start(dir, Map.of(), clock);
        createTopic(fixture.channel(), "t", 1);
        produce(fixture.channel(), "t", 0, values(100));
        Map<String, String> config = Map.of("lock.timeout.ms", "5000");

        // The hung worker takes 50 records and never answers; its connection stays open.
        QueueWorker hung = worker("q", "t", config, 50, (worker, record) -> {
        });
        await().atMost(TIMEOUT).until(() -> hung.received.size() == 50);
        QueueWorker healthy = worker("q", "t", config, 1000, (worker, record) -> worker.send(ack(record)));
        await().atMost(TIMEOUT).until(() -> healthy.received.size() == 50 && describe(fixture.channel(), "q").getBacklog() == 50);
        assertThat(describe(fixture.channel(), "q").getInFlight()).isEqualTo(50);
        assertThat(healthy.received).extracting(QueueRecord::getOffset).doesNotContainAnyElementsOf(offsets(hung.received));

        clock.advance(Duration.ofMillis(4_999));
        assertThat(describe(fixture.channel(), "q").getInFlight()).as("still locked a ms before the timeout").isEqualTo(50);
        clock.advance(Duration.ofMillis(1));

        await().atMost(TIMEOUT).until(() -> healthy.received.size() == 100 && describe(fixture.channel(), "q").getBacklog() == 0);
        List<QueueRecord> redelivered = healthy.received.subList(50, 100);
        assertThat(offsets(redelivered)).containsExactlyInAnyOrderElementsOf(offsets(hung.received));
        assertThat(redelivered).allSatisfy(r -> {
            assertThat(r.getDeliveryCount()).isEqualTo(2);
            assertThat(r.getLastFailure()).isEqualTo("lock timed out after 5000 ms");
        });
        // The hung worker wakes up too late: the records were settled by the other worker.
        QueueOutcomesResult late = hung.send(ack(hung.received.get(0))).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(late.getErrorsList()).singleElement().satisfies(e -> assertThat(e.getError()).isEqualTo(ErrorCode.LOCK_LOST));
    }

    @Test
    void recordsOfAWorkerWhoseStreamClosesAreRedeliveredAtOnce() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "t", 1);
        produce(fixture.channel(), "t", 0, values(100));
        QueueWorker killed = worker("q", "t", Map.of(), 50, (worker, record) -> {
        });
        await().atMost(TIMEOUT).until(() -> killed.received.size() == 50);
        QueueWorker survivor = worker("q", "t", Map.of(), 1000, (worker, record) -> worker.send(ack(record)));
        await().atMost(TIMEOUT).until(() -> survivor.received.size() == 50);

        killed.close();

        // The default lock timeout is 30 s: this is the stream closing, not a lock lapsing.
        await().atMost(Duration.ofSeconds(10)).until(() -> survivor.received.size() == 100);
        assertThat(offsets(survivor.received.subList(50, 100))).containsExactlyInAnyOrderElementsOf(offsets(killed.received));
        assertThat(survivor.received.subList(50, 100)).allSatisfy(r -> {
            assertThat(r.getDeliveryCount()).isEqualTo(2);
            assertThat(r.getLastFailure()).isEqualTo("the worker's stream closed");
        });
        await().atMost(TIMEOUT).until(() -> describe(fixture.channel(), "q").getBacklog() == 0);
    }

    @Test
    void aBrokerRestartRedeliversExactlyTheRecordsThatWereNotAcked() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "t", 2);
        produce(fixture.channel(), "t", 0, values(1000));
        produce(fixture.channel(), "t", 1, values(1000));
        Set<String> ackSent = ConcurrentHashMap.newKeySet();
        Set<String> ackedBefore = ConcurrentHashMap.newKeySet();
        for (int w = 0; w < 3; w++) {
            worker("q", "t", Map.of(), 10, (worker, record) -> {
                ackSent.add(id(record));
                worker.send(ack(record)).thenAccept(result -> {
                    if (result.getErrorsCount() == 0) {
                        ackedBefore.add(id(record));
                    }
                    // No more work after 800 acks, so that the restart surely comes mid-run.
                    if (ackedBefore.size() < 800) {
                        worker.credit(1);
                    }
                });
            });
        }
        // One worker holds 20 records it never settles: they are in flight at the restart.
        QueueWorker holder = worker("q", "t", Map.of(), 20, (worker, record) -> {
        });
        await().atMost(TIMEOUT).until(() -> ackedBefore.size() >= 800 && holder.received.size() == 20);

        fixture.restart();
        workers.forEach(w -> w.ended.handle((ok, error) -> null).orTimeout(10, TimeUnit.SECONDS).join());
        Set<String> confirmedBefore = Set.copyOf(ackedBefore);
        Set<String> sentBefore = Set.copyOf(ackSent);

        List<QueueRecord> after = new CopyOnWriteArrayList<>();
        Set<String> ackedAfter = ConcurrentHashMap.newKeySet();
        for (int w = 0; w < 2; w++) {
            worker("q", "t", Map.of(), 50, (worker, record) -> {
                after.add(record);
                worker.send(ack(record)).thenAccept(result -> {
                    if (result.getErrorsCount() == 0) {
                        ackedAfter.add(id(record));
                    }
                    worker.credit(1);
                });
            });
        }
        await().atMost(TIMEOUT).until(() -> describe(fixture.channel(), "q").getBacklog() == 0
                && ackedAfter.size() == after.size());

        Set<String> deliveredAfter = after.stream().map(QueueModeTest::id).collect(Collectors.toSet());
        assertThat(deliveredAfter).as("each delivered once after the restart").hasSize(after.size());
        assertThat(deliveredAfter).as("no acked record comes back").doesNotContainAnyElementsOf(confirmedBefore);
        // Acks sent but not answered before the restart may or may not have been stored; every other record comes back.
        Set<String> neverAcked = new HashSet<>();
        for (int p = 0; p < 2; p++) {
            for (int offset = 0; offset < 1000; offset++) {
                if (!sentBefore.contains(p + "@" + offset)) {
                    neverAcked.add(p + "@" + offset);
                }
            }
        }
        assertThat(neverAcked).as("the restart came mid-run").hasSizeGreaterThan(20);
        assertThat(deliveredAfter).as("every record not acked comes back").containsAll(neverAcked);
        assertThat(deliveredAfter).isSubsetOf(union(neverAcked, difference(sentBefore, confirmedBefore)));
        assertThat(after).filteredOn(r -> holder.received.stream().anyMatch(h -> id(h).equals(id(r))))
                .hasSize(20).allSatisfy(r -> assertThat(r.getDeliveryCount()).isEqualTo(2));
    }

    @Test
    void aNackDelayOfOneSecondBringsTheRecordBackAfterOneSecondAndNotBefore() {
        MutableClock clock = new MutableClock(1_000_000);
        fixture = BrokerFixture.start(dir, Map.of(), clock);
        createTopic(fixture.channel(), "t", 1);
        produce(fixture.channel(), "t", 0, values(1));
        QueueWorker worker = worker("q", "t", Map.of("backoff.initial.ms", "3000"), 10, (w, record) -> {
        });
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 1);

        settle(worker, nack(worker.received.get(0), 1000, "try later"));
        clock.advance(Duration.ofMillis(999));
        // Describe runs the queue's due timers first: this is what the queue does at 999 ms.
        QueueDescription early = describe(fixture.channel(), "q");
        assertThat(early.getDelayed()).isEqualTo(1);
        assertThat(early.getInFlight()).isZero();
        assertThat(worker.received).hasSize(1);

        clock.advance(Duration.ofMillis(1));
        assertThat(describe(fixture.channel(), "q").getInFlight()).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 2);
        assertThat(worker.received.get(1).getDeliveryCount()).isEqualTo(2);
        assertThat(worker.received.get(1).getLastFailure()).isEqualTo("try later");

        // Without a delay of its own, a NACK waits for the queue's backoff, 3000 ms * 2^(deliveries - 1):
        // 6000 ms after the second delivery, 12000 ms after the third.
        settle(worker, nack(worker.received.get(1), "again"));
        clock.advance(Duration.ofMillis(5_999));
        assertThat(describe(fixture.channel(), "q").getDelayed()).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 3);
        settle(worker, nack(worker.received.get(2), "again"));
        clock.advance(Duration.ofMillis(11_999));
        assertThat(describe(fixture.channel(), "q").getDelayed()).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 4);
        assertThat(worker.received.get(3).getDeliveryCount()).isEqualTo(4);
    }

    @Test
    void withKeyOrderingRecordsOfEachKeyAreProcessedStrictlyInOrder() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "events", 2);
        int keys = 100;
        int rounds = 20;
        for (int round = 0; round < rounds; round++) {
            Map<Integer, List<Record>> byPartition = new HashMap<>();
            for (int k = 0; k < keys; k++) {
                String key = "key-" + k;
                byPartition.computeIfAbsent(Murmur2.partition(key.getBytes(StandardCharsets.UTF_8), 2), p -> new ArrayList<>())
                        .add(Protos.record(key, String.valueOf(round)));
            }
            byPartition.forEach((partition, records) -> produce(fixture.channel(), "events", partition, records));
        }

        Map<String, Integer> lastDone = new ConcurrentHashMap<>();
        Map<String, Long> inProgress = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicInteger done = new AtomicInteger();
        for (int w = 0; w < 4; w++) {
            worker("ordered", "events", Map.of("ordering", "key"), 10, (worker, record) -> {
                String key = Protos.utf8(record.getRecord().getKey());
                int seq = Integer.parseInt(Protos.utf8(record.getRecord().getValue()));
                if (inProgress.putIfAbsent(key, record.getOffset()) != null) {
                    violations.add(key + ": " + seq + " delivered while another record of the key is processed");
                }
                if (lastDone.getOrDefault(key, -1) != seq - 1) {
                    violations.add(key + ": " + seq + " after " + lastDone.get(key));
                }
                // Some work of random length, so that workers finish out of order.
                Schedulers.parallel().schedule(() -> {
                    lastDone.put(key, seq);
                    inProgress.remove(key, record.getOffset());
                    done.incrementAndGet();
                    worker.send(ack(record)).thenRun(() -> worker.credit(1));
                }, ThreadLocalRandom.current().nextInt(3), TimeUnit.MILLISECONDS);
            });
        }

        await().atMost(TIMEOUT).until(() -> done.get() == keys * rounds);
        assertThat(violations).isEmpty();
        assertThat(lastDone).hasSize(keys).allSatisfy((key, seq) -> assertThat(seq).isEqualTo(rounds - 1));
        assertThat(workers).allSatisfy(w -> assertThat(w.received).isNotEmpty());
        assertThat(workers.stream().mapToInt(w -> w.received.size()).sum()).isEqualTo(keys * rounds);
    }

    @Test
    void redriveMovesDeadLettersBackAndTheyAreProcessed() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "t", 2);
        produce(fixture.channel(), "t", 0, values(10));
        produce(fixture.channel(), "t", 1, values(10));
        Set<String> broken = ConcurrentHashMap.newKeySet();
        broken.addAll(List.of("v3", "v7"));
        List<QueueRecord> acked = new CopyOnWriteArrayList<>();
        worker("q", "t", Map.of(), 100, (worker, record) -> {
            if (broken.contains(Protos.utf8(record.getRecord().getValue()))) {
                worker.send(reject(record, "bad " + Protos.utf8(record.getRecord().getValue())));
            } else {
                worker.send(ack(record)).thenRun(() -> acked.add(record));
            }
        });
        await().atMost(TIMEOUT).until(() -> describe(fixture.channel(), "q").getDeadLettered() == 4 && acked.size() == 16);
        var admin = QueueAdminServiceGrpc.newBlockingStub(fixture.channel());
        List<DeadLetter> dead = admin.peekDeadLetters(PeekDeadLettersRequest.newBuilder().setTopic("t.dlq").build())
                .getDeadLettersList();
        assertThat(dead).extracting(d -> d.getOriginalPartition() + ":" + d.getOriginalOffset() + " " + d.getReason())
                .containsExactlyInAnyOrder("0:3 bad v3", "0:7 bad v7", "1:3 bad v3", "1:7 bad v7");
        assertThat(dead).allSatisfy(d -> assertThat(d.getPartition()).isEqualTo(d.getOriginalPartition()));

        broken.clear();
        assertThat(admin.redriveDeadLetters(RedriveDeadLettersRequest.newBuilder().setTopic("t.dlq").build()).getRedriven())
                .isEqualTo(4);

        await().atMost(TIMEOUT).until(() -> acked.size() == 20);
        List<QueueRecord> redriven = acked.subList(16, 20);
        assertThat(redriven).extracting(r -> r.getPartition() + ":" + Protos.utf8(r.getRecord().getValue()))
                .containsExactlyInAnyOrder("0:v3", "0:v7", "1:v3", "1:v7");
        // Back as new records at the end of their partitions, without the dead-letter headers.
        assertThat(redriven).allSatisfy(r -> {
            assertThat(r.getOffset()).isGreaterThanOrEqualTo(10);
            assertThat(r.getDeliveryCount()).isEqualTo(1);
            assertThat(r.getRecord().getHeadersList()).isEmpty();
        });
        assertThat(admin.peekDeadLetters(PeekDeadLettersRequest.newBuilder().setTopic("t.dlq").build()).getDeadLettersList())
                .as("nothing left to redrive").isEmpty();
        assertThat(admin.peekDeadLetters(PeekDeadLettersRequest.newBuilder().setTopic("t.dlq").setFromBeginning(true).build())
                .getDeadLettersList()).hasSize(4);
        assertThat(admin.redriveDeadLetters(RedriveDeadLettersRequest.newBuilder().setTopic("t.dlq").build()).getRedriven())
                .as("a dead letter is moved once").isZero();
        await().atMost(TIMEOUT).until(() -> describe(fixture.channel(), "q").getBacklog() == 0);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.addAll(b);
        return out;
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.removeAll(b);
        return out;
    }

    private static String id(QueueRecord record) {
        return record.getPartition() + "@" + record.getOffset();
    }

    private static List<Long> offsets(List<QueueRecord> records) {
        return records.stream().map(QueueRecord::getOffset).toList();
    }
}
