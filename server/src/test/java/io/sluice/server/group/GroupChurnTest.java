package io.sluice.server.group;

import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.TopicPartition;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.RawGroupMember;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Members join and leave (politely, by a cut stream, or by going silent) every second for 30 s while records
 * are produced. The broker's own assignment log must never show a partition given to a member while another
 * owns it, and every record must have been received by some member.
 */
class GroupChurnTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final List<RawGroupMember> everyone = new CopyOnWriteArrayList<>();
    private static final int PARTITIONS = 6;
    private static final int SECONDS = 30;

    @TempDir
    Path dir;

    @Test
    void noPartitionEverHasTwoOwnersAndEveryRecordIsProcessed() {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            AdminServiceGrpc.newBlockingStub(fixture.channel())
                    .createTopic(CreateTopicRequest.newBuilder().setName("churn").setPartitions(PARTITIONS).build());
            List<AssignmentEvent> log = new CopyOnWriteArrayList<>();
            Disposable listening = fixture.broker().groups().events().subscribe(log::add);
            // 10 batches of 6 records a second, one per partition in turn: bounded in count and in time.
            Disposable producing = ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                    .produce(Flux.interval(Duration.ofMillis(100)).take(SECONDS * 10L).map(i -> batch(i)))
                    .subscribe(ack -> assertThat(ack.getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE));

            Random random = new Random(42);
            List<RawGroupMember> live = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                live.add(join(fixture, everyone));
            }
            // One change a second: join, or leave politely, by a cut stream, or by going silent.
            Flux.interval(Duration.ofSeconds(1)).take(SECONDS).doOnNext(tick -> {
                if (live.size() <= 1 || (live.size() < 5 && random.nextBoolean())) {
                    live.add(join(fixture, everyone));
                } else {
                    RawGroupMember going = live.remove(random.nextInt(live.size()));
                    switch (random.nextInt(3)) {
                        case 0 -> going.leave();
                        case 1 -> going.close();
                        default -> going.goSilent();
                    }
                }
            }).blockLast(Duration.ofSeconds(SECONDS + 10));
            await().atMost(TIMEOUT).until(producing::isDisposed);

            // The survivors read to the end of every partition.
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (PartitionLog p : fixture.broker().logs().topic("churn").partitions()) {
                ends.put(p.id(), p.highWatermark());
            }
            await().atMost(TIMEOUT).until(() -> ends.entrySet().stream().allMatch(e -> received(everyone, e.getKey())
                    .containsAll(IntStream.range(0, e.getValue().intValue()).mapToObj(o -> (long) o).toList())));
            assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(SECONDS * 10L * 6);

            listening.dispose();
            everyone.forEach(RawGroupMember::close);
            assertOneOwnerAtATime(log);
            assertThat(log).hasSizeGreaterThan(30);
        }
    }

    private static RawGroupMember join(BrokerFixture fixture, List<RawGroupMember> everyone) {
        RawGroupMember member = RawGroupMember.join(fixture.channel(), "churners", "churn", 1_000, "");
        everyone.add(member);
        return member;
    }

    private static Set<Long> received(List<RawGroupMember> members, TopicPartition partition) {
        Set<Long> all = new HashSet<>();
        members.forEach(m -> all.addAll(m.received.getOrDefault(partition, Set.of())));
        return all;
    }

    /** Replays the broker's assignment log: ASSIGNED only when free, RELEASED only by the owner. */
    private static void assertOneOwnerAtATime(List<AssignmentEvent> log) {
        Map<TopicPartition, String> owner = new HashMap<>();
        long previous = 0;
        for (AssignmentEvent event : log) {
            assertThat(event.sequence()).isGreaterThan(previous);
            previous = event.sequence();
            if (event.kind() == AssignmentEvent.Kind.ASSIGNED) {
                assertThat(owner.get(event.partition())).as("owner of %s when assigned to %s", event.partition(),
                        event.memberId()).isNull();
                owner.put(event.partition(), event.memberId());
            } else {
                assertThat(owner.remove(event.partition())).as("owner of %s when released", event.partition())
                        .isEqualTo(event.memberId());
            }
        }
    }

    private static ProduceRequest batch(long i) {
        int partition = (int) (i % PARTITIONS);
        return produce(i, "churn", IntStream.range(0, 6).mapToObj(r -> record(null, "v" + i + "-" + r))
                .toArray(Record[]::new)).setPartition(partition).build();
    }
}
