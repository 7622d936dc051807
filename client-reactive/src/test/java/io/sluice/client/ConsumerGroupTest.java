package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Consumer groups against a real broker: assignment, revokes, commits, static membership. */
class ConsumerGroupTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    BrokerFixture fixture;
    SluiceClient client;
    final List<Disposable> subscriptions = new ArrayList<>();

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir);
        client = SluiceClient.connect(fixture.bootstrap());
    }

    @AfterEach
    void stop() {
        subscriptions.forEach(Disposable::dispose);
        client.close();
        fixture.close();
    }

    /** One member under test: what its listeners say it owns, and every change in order ("+t-0", "-t-0"). */
    static final class Member {
        final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
        final List<String> events = new CopyOnWriteArrayList<>();

        ConsumerOptions<String, String> listen(ConsumerOptions<String, String> options) {
            return options
                    .onAssigned(partitions -> {
                        owned.addAll(partitions);
                        partitions.forEach(p -> events.add("+" + p));
                    })
                    .onRevoked(partitions -> {
                        owned.removeAll(partitions);
                        partitions.forEach(p -> events.add("-" + p));
                    });
        }

        List<String> revoked() {
            return events.stream().filter(e -> e.startsWith("-")).map(e -> e.substring(1)).toList();
        }
    }

    private static ConsumerOptions<String, String> group(String group, String topic) {
        return ConsumerOptions.strings().topics(topic).group(group).start(StartPosition.earliest())
                .sessionTimeout(Duration.ofSeconds(1));
    }

    private Member join(SluiceClient via, ConsumerOptions<String, String> options) {
        Member member = new Member();
        subscriptions.add(via.consumer(member.listen(options)).receive().subscribe());
        return member;
    }

    private void produce(SluiceClient via, String topic, int partitions, int from, int to) {
        via.producer(ProducerOptions.strings())
                .send(Flux.range(from, to - from).map(i -> ProducerRecord.of(topic, (String) null, "v" + i).withPartition(i % partitions)))
                .blockLast(TIMEOUT);
    }

    private static Set<TopicPartition> union(List<Member> members) {
        Set<TopicPartition> all = new HashSet<>();
        members.forEach(m -> all.addAll(m.owned));
        return all;
    }

    @Test
    void aJoiningMemberTakesOnlyThePartitionsThatMove() {
        client.admin().createTopic("jobs", 6).block(TIMEOUT);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(join(client, group("workers", "jobs")));
        }
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(members).allSatisfy(m -> assertThat(m.owned).hasSize(2));
            assertThat(union(members)).hasSize(6);
        });
        Map<Member, Set<TopicPartition>> before = new HashMap<>();
        members.forEach(m -> {
            before.put(m, Set.copyOf(m.owned));
            m.events.clear();
        });

        Member fourth = join(client, group("workers", "jobs"));
        List<Member> all = List.of(members.get(0), members.get(1), members.get(2), fourth);
        // Balanced (2, 2, 1, 1) with the fewest moves: one member gives up one partition, to the newcomer. Held
        // for longer than the 1 s session timeout, so idle members answer their keepalives too.
        await().atMost(TIMEOUT).during(Duration.ofMillis(1500)).untilAsserted(() -> {
            assertThat(all.stream().map(m -> m.owned.size()).sorted().toList()).containsExactly(1, 1, 2, 2);
            assertThat(union(all)).hasSize(6);
        });
        List<String> revoked = members.stream().flatMap(m -> m.revoked().stream()).toList();
        assertThat(revoked).hasSize(1);
        assertThat(fourth.events).containsExactly("+" + revoked.get(0));
        for (Member m : members) {
            if (m.revoked().isEmpty()) {
                assertThat(m.events).isEmpty();
                assertThat(m.owned).isEqualTo(before.get(m));
            } else {
                assertThat(m.events).containsExactly("-" + revoked.get(0));
                assertThat(before.get(m)).containsAll(m.owned).hasSize(2);
            }
        }
    }

    @Test
    void afterARestartOfEveryConsumerNothingBelowTheCommittedOffsetComesAgain() {
        client.admin().createTopic("ledger", 4).block(TIMEOUT);
        produce(client, "ledger", 4, 0, 200); // 50 records per partition: offsets 0..49
        ConsumerOptions<String, String> options = group("accounts", "ledger").commitInterval(Duration.ZERO);

        // First run: every record acknowledged but ledger-0 offset 30, which stays unprocessed.
        List<ReceivedRecord<String, String>> first = new CopyOnWriteArrayList<>();
        try (SluiceClient before = SluiceClient.connect(fixture.bootstrap())) {
            List<ReactiveConsumer<String, String>> consumers = List.of(before.consumer(options), before.consumer(options));
            List<Disposable> running = consumers.stream().map(c -> c.receive().subscribe(r -> {
                first.add(r);
                if (r.partition() != 0 || r.offset() != 30) {
                    r.ack();
                }
            })).toList();
            await().atMost(TIMEOUT).until(() -> positions(first).size() == 200);
            StepVerifier.create(Mono.when(consumers.get(0).commit(), consumers.get(1).commit())).verifyComplete();
            assertThat(client.admin().fetchCommittedOffsets("accounts", "ledger").block(TIMEOUT))
                    .isEqualTo(Map.of(0, 30L, 1, 50L, 2, 50L, 3, 50L));
            running.forEach(Disposable::dispose);
        }
        Map<Integer, Long> committed = client.admin().fetchCommittedOffsets("accounts", "ledger").block(TIMEOUT);
        assertThat(committed).isEqualTo(Map.of(0, 30L, 1, 50L, 2, 50L, 3, 50L));

        // Second run, new clients: resumes at the committed offsets, and the unprocessed record comes again.
        produce(client, "ledger", 4, 200, 240); // offsets 50..59
        List<ReceivedRecord<String, String>> second = new CopyOnWriteArrayList<>();
        try (SluiceClient after = SluiceClient.connect(fixture.bootstrap())) {
            List<ReactiveConsumer<String, String>> consumers = List.of(after.consumer(options), after.consumer(options));
            List<Disposable> running = consumers.stream().map(c -> c.receive().subscribe(r -> {
                second.add(r);
                r.ack();
            })).toList();
            await().atMost(TIMEOUT).until(() -> positions(second).size() == 30 + 3 * 10);
            running.forEach(Disposable::dispose);
        }
        assertThat(second).allSatisfy(r -> assertThat(r.offset()).isGreaterThanOrEqualTo(committed.get(r.partition())));
        assertThat(positions(second)).contains("ledger-0@30");
        Set<String> processed = positions(first);
        processed.addAll(positions(second));
        for (int p = 0; p < 4; p++) {
            int partition = p;
            LongStream.range(0, 60).forEach(o -> assertThat(processed).contains("ledger-" + partition + "@" + o));
        }
        // Closing the second run committed everything it acknowledged.
        assertThat(client.admin().fetchCommittedOffsets("accounts", "ledger").block(TIMEOUT))
                .isEqualTo(Map.of(0, 60L, 1, 60L, 2, 60L, 3, 60L));
    }

    private static Set<String> positions(Collection<ReceivedRecord<String, String>> records) {
        Set<String> positions = new HashSet<>();
        records.forEach(r -> positions.add(r.topicPartition() + "@" + r.offset()));
        return positions;
    }

    @Test
    void noRecordOfARevokedPartitionIsDeliveredAfterTheRevoke() {
        client.admin().createTopic("bulk", 2).block(TIMEOUT);
        produce(client, "bulk", 2, 0, 6000);
        // What the first member's receive() emits and when its partitions are revoked, in its worker's order.
        List<String> timeline = Collections.synchronizedList(new ArrayList<>());
        Scheduler slow = Schedulers.newSingle("slow-subscriber");
        try {
            ReactiveConsumer<String, String> busy = client.consumer(group("bulk-readers", "bulk")
                    .prefetch(5000, 64 << 20)
                    .onRevoked(partitions -> partitions.forEach(p -> timeline.add("revoked " + p))));
            // A slow subscriber with a large demand: thousands of records granted and on their way at any time.
            subscriptions.add(busy.receive()
                    .doOnNext(r -> timeline.add(r.topicPartition() + "@" + r.offset()))
                    .publishOn(slow, 2000)
                    .subscribe(r -> {
                        LockSupport.parkNanos(1_000_000); // processing takes a while
                        r.ack();
                    }));
            await().atMost(TIMEOUT).until(() -> timeline.size() > 1000);

            Member newcomer = new Member();
            List<ReceivedRecord<String, String>> taken = new CopyOnWriteArrayList<>();
            subscriptions.add(client.consumer(newcomer.listen(group("bulk-readers", "bulk"))).receive().subscribe(taken::add));
            await().atMost(TIMEOUT).until(() -> newcomer.owned.size() == 1);
            TopicPartition moved = newcomer.owned.iterator().next();
            List<String> events;
            synchronized (timeline) {
                events = List.copyOf(timeline);
            }
            int revokedAt = events.indexOf("revoked " + moved);
            assertThat(revokedAt).isPositive();
            assertThat(events.subList(revokedAt + 1, events.size())).noneMatch(e -> e.startsWith(moved + "@"));
            // No gap: the newcomer starts at or before the first record the busy member had not delivered.
            long deliveredBefore = events.subList(0, revokedAt).stream().filter(e -> e.startsWith(moved + "@")).count();
            assertThat(deliveredBefore).isLessThan(3000);
            await().atMost(TIMEOUT).until(() -> taken.stream().filter(r -> r.topicPartition().equals(moved)).count() >= 3000 - deliveredBefore);
            long firstTaken = taken.stream().filter(r -> r.topicPartition().equals(moved)).mapToLong(ReceivedRecord::offset).min().orElseThrow();
            assertThat(firstTaken).isLessThanOrEqualTo(deliveredBefore);
            assertThat(taken).allSatisfy(r -> assertThat(r.topicPartition()).isEqualTo(moved));
        } finally {
            subscriptions.forEach(Disposable::dispose);
            slow.dispose();
        }
    }

    @Test
    void aStaticMemberRestartingWithinItsSessionTimeoutGetsItsPartitionsBackAndNobodyNotices() {
        client.admin().createTopic("pinned", 4).block(TIMEOUT);
        ConsumerOptions<String, String> options = group("pinned-readers", "pinned").sessionTimeout(Duration.ofSeconds(2));
        Member other = join(client, options.instanceId("other"));
        Member first;
        Set<TopicPartition> mine;
        try (SluiceClient before = SluiceClient.connect(fixture.bootstrap())) {
            first = new Member();
            Disposable running = before.consumer(first.listen(options.instanceId("pod-1"))).receive().subscribe();
            await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(first.owned).hasSize(2);
                assertThat(other.owned).hasSize(2);
            });
            mine = Set.copyOf(first.owned);
            // Either member may have joined first and handed partitions over: only what follows counts.
            other.events.clear();
            first.events.clear();
            running.dispose();
        }
        // The first stream gave its partitions up locally when it ended; the broker kept them for the instance.
        assertThat(first.revoked()).hasSize(2)
                .containsExactlyInAnyOrderElementsOf(mine.stream().map(TopicPartition::toString).toList());

        Member restarted = join(client, options.instanceId("pod-1"));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(restarted.owned).isEqualTo(mine));
        // Beyond the first stream's session timeout, the others still saw nothing.
        await().atMost(TIMEOUT).during(Duration.ofMillis(2500)).untilAsserted(() -> {
            assertThat(other.events).isEmpty();
            assertThat(restarted.owned).isEqualTo(mine);
        });
    }

    @Test
    void aBrokerRestartLosesThePartitionsAndTheMemberRejoinsAtTheCommittedOffsets() {
        client.admin().createTopic("again", 2).block(TIMEOUT);
        produce(client, "again", 2, 0, 20);
        Member member = new Member();
        List<ReceivedRecord<String, String>> received = new CopyOnWriteArrayList<>();
        subscriptions.add(client.consumer(member.listen(group("returning", "again").commitInterval(Duration.ofMillis(100))))
                .receive().subscribe(r -> {
                    received.add(r);
                    r.ack();
                }));
        await().atMost(TIMEOUT).until(() -> client.admin().fetchCommittedOffsets("returning", "again").block(TIMEOUT)
                .equals(Map.of(0, 10L, 1, 10L)));
        assertThat(member.events).containsExactlyInAnyOrder("+again-0", "+again-1");

        fixture.restart();
        produce(client, "again", 2, 20, 40);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(received).hasSize(40));
        assertThat(received).extracting(ReceivedRecord::value).doesNotHaveDuplicates();
        // Lost with the stream, then assigned again to the rejoined member.
        assertThat(member.events.subList(2, 4)).containsExactlyInAnyOrder("-again-0", "-again-1");
        assertThat(member.events.subList(4, member.events.size())).containsExactlyInAnyOrder("+again-0", "+again-1");
    }

    @Test
    void aSecondStreamWithTheSameInstanceIdFencesTheFirst() {
        client.admin().createTopic("twins", 2).block(TIMEOUT);
        ConsumerOptions<String, String> options = group("twins", "twins").instanceId("the-one");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Member first = new Member();
        subscriptions.add(client.consumer(first.listen(options)).receive().subscribe(r -> { }, failure::set));
        await().atMost(TIMEOUT).until(() -> first.owned.size() == 2);
        Member second = join(client, options);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(failure.get()).isInstanceOf(MemberFencedException.class).hasMessageContaining("the-one");
            assertThat(second.owned).hasSize(2);
        });
        assertThat(first.owned).isEmpty();
    }

    @Test
    void withoutAGroupAckAndCommitDoNothing() {
        client.admin().createTopic("plain", 1).block(TIMEOUT);
        produce(client, "plain", 1, 0, 3);
        ReactiveConsumer<String, String> consumer = client.consumer(ConsumerOptions.strings().topics("plain").start(StartPosition.earliest()));
        StepVerifier.create(consumer.receive().take(3).doOnNext(ReceivedRecord::ack).map(ReceivedRecord::value)
                        .concatWith(consumer.commit().then(Mono.<String>empty())))
                .expectNext("v0", "v1", "v2")
                .verifyComplete();
        assertThat(client.admin().fetchCommittedOffsets("plain", "plain").block(TIMEOUT)).isEmpty();
    }

    @Test
    void groupOptionsAreCheckedEarly() {
        assertThatThrownBy(() -> ConsumerOptions.strings().partitions("t", 0).group("g"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitions");
        assertThatThrownBy(() -> ConsumerOptions.strings().group("g").partitions("t", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitions");
        assertThatThrownBy(() -> client.consumer(ConsumerOptions.strings().topics("t").instanceId("i")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group");
        assertThatThrownBy(() -> ConsumerOptions.strings().group("")).isInstanceOf(IllegalArgumentException.class);
        // The broker checks the session timeout's range.
        StepVerifier.create(client.consumer(ConsumerOptions.strings().topics("t").group("g").sessionTimeout(Duration.ofMillis(100))).receive())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidRequestException.class).hasMessageContaining("session_timeout_ms"))
                .verify(TIMEOUT);
    }
}
