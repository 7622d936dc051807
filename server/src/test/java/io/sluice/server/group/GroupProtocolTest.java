package io.sluice.server.group;

import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.CommitOffsetsRequest;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.GroupState;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.server.log.TopicPartition;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.RawGroupMember;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** The group protocol on the raw Consume stream: assignment, incremental moves, liveness, fencing, static members. */
class GroupProtocolTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    BrokerFixture fixture;
    final List<RawGroupMember> members = new ArrayList<>();

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir);
        AdminServiceGrpc.newBlockingStub(fixture.channel())
                .createTopic(CreateTopicRequest.newBuilder().setName("t").setPartitions(6).build());
    }

    @AfterEach
    void stop() {
        members.forEach(RawGroupMember::close);
        fixture.close();
    }

    private RawGroupMember join(String instanceId, int sessionTimeoutMs) {
        RawGroupMember member = RawGroupMember.join(fixture.channel(), "g", "t", sessionTimeoutMs, instanceId);
        members.add(member);
        return member;
    }

    private GroupView group() {
        return fixture.broker().groups().group("g").block(TIMEOUT).orElseThrow();
    }

    private void awaitStable(int memberCount) {
        await().atMost(TIMEOUT).until(() -> {
            GroupView view = fixture.broker().groups().group("g").block(TIMEOUT).orElse(null);
            return view != null && view.members().size() == memberCount && view.state() == GroupState.GROUP_STATE_STABLE;
        });
    }

    @Test
    void threeMembersGetTwoPartitionsEachAndAFourthMovesExactlyOne() {
        RawGroupMember a = join("", 10_000);
        RawGroupMember b = join("", 10_000);
        RawGroupMember c = join("", 10_000);
        awaitStable(3);
        await().atMost(TIMEOUT).until(() -> a.owned.size() == 2 && b.owned.size() == 2 && c.owned.size() == 2);
        List<Integer> before = List.of(a.assignments.size(), b.assignments.size(), c.assignments.size());

        RawGroupMember d = join("", 10_000);
        awaitStable(4);
        await().atMost(TIMEOUT).until(() -> d.owned.size() == 1);

        // 6 partitions over 4 members: 2, 2, 1, 1. Exactly one partition moved, from one member; the others
        // received nothing at all.
        List<RawGroupMember> old = List.of(a, b, c);
        long revokes = IntStream.range(0, 3).mapToLong(i -> old.get(i).assignments
                .subList(before.get(i), old.get(i).assignments.size()).stream().mapToLong(x -> x.getRevokedCount()).sum()).sum();
        assertThat(revokes).isEqualTo(1);
        long disturbed = IntStream.range(0, 3).filter(i -> old.get(i).assignments.size() != before.get(i)).count();
        assertThat(disturbed).isEqualTo(1);
        assertThat(old.stream().mapToInt(m -> m.owned.size()).sorted().boxed().toList()).containsExactly(1, 2, 2);
        assertThat(group().members()).allSatisfy(m -> assertThat(m.revoking()).isEmpty());
    }

    @Test
    void aSilentMemberIsRemovedAfterItsSessionTimeoutAndItsPartitionsMove() {
        RawGroupMember a = join("", 1_000);
        RawGroupMember b = join("", 1_000);
        awaitStable(2);
        await().atMost(TIMEOUT).until(() -> a.owned.size() == 3 && b.owned.size() == 3);

        long silentAt = System.nanoTime();
        a.goSilent();
        await().atMost(TIMEOUT).until(() -> b.owned.size() == 6);
        // Moved within the session timeout plus one second.
        assertThat(Duration.ofNanos(System.nanoTime() - silentAt)).isLessThan(Duration.ofMillis(2_000));
        await().atMost(TIMEOUT).until(() -> a.error.get() != null);
        assertThat(a.error.get()).hasMessageContaining("MEMBER_FENCED").hasMessageContaining("session timeout");
    }

    @Test
    void aCutStreamLeavesAtOnce() {
        RawGroupMember a = join("", 60_000);
        RawGroupMember b = join("", 60_000);
        awaitStable(2);
        a.close();
        // Far sooner than the 60 s session timeout.
        await().atMost(Duration.ofSeconds(5)).until(() -> b.owned.size() == 6);
    }

    @Test
    void commitsFromMembersThatNoLongerOwnThePartitionAreFenced() {
        produceRecords(60);
        RawGroupMember a = join("", 10_000);
        awaitStable(1);
        await().atMost(TIMEOUT).until(() -> a.owned.size() == 6);
        TopicPartition p0 = new TopicPartition("t", 0);
        long epochBefore = a.epoch.get();
        String idA = a.memberId.get();

        long ok = a.commit(p0, 1);
        await().atMost(TIMEOUT).until(() -> a.commitResults.stream().anyMatch(r -> r.getId() == ok));
        assertThat(a.commitResults.get(0).getError()).isEqualTo(ErrorCode.ERROR_CODE_NONE);
        var admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
        admin.commitOffsets(CommitOffsetsRequest.newBuilder().setGroup("g").setTopic("t").putOffsets(0, 2)
                .setMemberId(idA).setMemberEpoch(epochBefore).build());

        // A second member takes half; a's commits for what it gave up are now fenced, on the stream and
        // through the admin API.
        RawGroupMember b = join("", 10_000);
        awaitStable(2);
        TopicPartition lost = b.owned.keySet().iterator().next();
        long fencedId = a.commit(lost, 1);
        await().atMost(TIMEOUT).until(() -> a.commitResults.stream().anyMatch(r -> r.getId() == fencedId));
        assertThat(a.commitResults.stream().filter(r -> r.getId() == fencedId).findFirst().orElseThrow())
                .satisfies(r -> {
                    assertThat(r.getError()).isEqualTo(ErrorCode.MEMBER_FENCED);
                    assertThat(r.getMessage()).contains("does not own " + lost);
                });
        assertThatThrownBy(() -> admin.commitOffsets(CommitOffsetsRequest.newBuilder().setGroup("g").setTopic("t")
                .putOffsets(lost.partition(), 1).setMemberId(idA).setMemberEpoch(a.epoch.get()).build()))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("MEMBER_FENCED");
        // Without a member id, a group with members refuses admin commits.
        assertThatThrownBy(() -> admin.commitOffsets(CommitOffsetsRequest.newBuilder().setGroup("g").setTopic("t")
                .putOffsets(0, 1).build()))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("GROUP_NOT_EMPTY");
        // After a leaves, its id is unknown: fenced too.
        a.leave();
        awaitStable(1);
        assertThatThrownBy(() -> admin.commitOffsets(CommitOffsetsRequest.newBuilder().setGroup("g").setTopic("t")
                .putOffsets(0, 1).setMemberId(idA).setMemberEpoch(a.epoch.get()).build()))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("MEMBER_FENCED");
    }

    @Test
    void aNewOwnerStartsAtTheFinalOffsetTheOldOwnerCommitted() {
        produceRecords(60);
        RawGroupMember a = join("", 10_000);
        await().atMost(TIMEOUT).until(() -> a.owned.size() == 6 && a.owned.values().stream().mapToLong(Long::longValue).sum() == 60);
        RawGroupMember b = join("", 10_000);
        awaitStable(2);
        await().atMost(TIMEOUT).until(() -> b.owned.size() == 3);
        // a confirmed each revoke with its next offsets; b starts exactly there, so it receives nothing old.
        assertThat(b.assignments.get(0).getAssignedList()).allSatisfy(p -> assertThat(p.getStartOffset()).isEqualTo(10));
        assertThat(b.received).isEmpty();
    }

    @Test
    void aCommitSentJustBeforeLeaveIsWhereTheNextOwnerStarts() {
        produceRecords(60);
        RawGroupMember a = join("", 10_000);
        await().atMost(TIMEOUT).until(() -> a.owned.size() == 6);
        RawGroupMember b = join("", 10_000);
        awaitStable(2);
        TopicPartition kept = a.owned.keySet().iterator().next();
        // Commit and leave at once, as a closing consumer does: b must start exactly at that commit.
        long id = a.commit(kept, 7);
        a.leave();
        await().atMost(TIMEOUT).until(() -> b.owned.size() == 6);
        assertThat(b.assignments.stream().flatMap(x -> x.getAssignedList().stream())
                .filter(p -> p.getPartition() == kept.partition()).findFirst().orElseThrow().getStartOffset()).isEqualTo(7);
        await().atMost(TIMEOUT).until(() -> a.commitResults.stream().anyMatch(r -> r.getId() == id));
    }

    @Test
    void aStreamThatEndsRightAfterItsSubscribeLeavesNoGhostMember() {
        for (int i = 0; i < 20; i++) {
            join("", 60_000).close();
        }
        // Far sooner than the 60 s session timeout.
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.broker().groups().group("g").block(TIMEOUT).isEmpty());
    }

    @Test
    void aStaticMemberThatComesBackInTimeKeepsItsPartitionsAndNobodyNotices() {
        RawGroupMember s = join("pod-1", 2_000);
        RawGroupMember d = join("", 2_000);
        awaitStable(2);
        await().atMost(TIMEOUT).until(() -> s.owned.size() == 3 && d.owned.size() == 3);
        int dEvents = d.assignments.size();
        var before = List.copyOf(s.owned.keySet());
        String id = s.memberId.get();

        s.close();
        RawGroupMember back = join("pod-1", 2_000);
        await().atMost(TIMEOUT).until(() -> back.owned.size() == 3);
        assertThat(back.memberId.get()).isEqualTo(id);
        assertThat(back.owned.keySet()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(d.assignments).hasSize(dEvents);

        // Gone for longer than its session timeout: then its partitions move.
        back.close();
        await().atMost(TIMEOUT).until(() -> d.owned.size() == 6);
    }

    @Test
    void aSecondStreamWithTheSameInstanceIdFencesTheFirst() {
        RawGroupMember first = join("pod-1", 10_000);
        await().atMost(TIMEOUT).until(() -> first.owned.size() == 6);
        RawGroupMember second = join("pod-1", 10_000);
        await().atMost(TIMEOUT).until(() -> second.owned.size() == 6);
        await().atMost(TIMEOUT).until(() -> first.error.get() != null);
        assertThat(first.error.get()).hasMessageContaining("MEMBER_FENCED").hasMessageContaining("replaced");
        assertThat(group().members()).hasSize(1);
    }

    private void produceRecords(int count) {
        // Keyless records round-robin over the 6 partitions, one batch per partition per call.
        Flux.range(0, 6).flatMap(p -> ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                        .produce(Flux.just(produce(p, "t", IntStream.range(0, count / 6)
                                .mapToObj(i -> record(null, "v" + i)).toArray(Record[]::new)).setPartition(p).build())))
                .blockLast(TIMEOUT);
    }
}
