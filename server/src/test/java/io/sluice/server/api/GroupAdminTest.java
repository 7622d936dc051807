package io.sluice.server.api;

import static io.sluice.server.testing.Protos.latest;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.CommitOffsetsRequest;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.DeleteGroupRequest;
import io.sluice.proto.v1.DeleteTopicRequest;
import io.sluice.proto.v1.DescribeGroupRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.FetchCommittedOffsetsRequest;
import io.sluice.proto.v1.GroupDescription;
import io.sluice.proto.v1.GroupMembership;
import io.sluice.proto.v1.GroupPartition;
import io.sluice.proto.v1.GroupState;
import io.sluice.proto.v1.GroupSummary;
import io.sluice.proto.v1.KeepaliveAck;
import io.sluice.proto.v1.ListGroupsRequest;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.ResetGroupOffsetsRequest;
import io.sluice.proto.v1.StartPosition;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** ListGroups, DescribeGroup, ResetGroupOffsets and DeleteGroup against a real broker. */
class GroupAdminTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    BrokerFixture fixture;
    AdminServiceGrpc.AdminServiceBlockingStub admin;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir);
        admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private void createTopic(String name, int partitions) {
        admin.createTopic(CreateTopicRequest.newBuilder().setName(name).setPartitions(partitions).build());
    }

    /** Appends one batch of records with these timestamps to the partition. */
    private void produceAt(String topic, int partition, long... timestamps) {
        ProduceRequest.Builder request = produce(0, topic).setPartition(partition);
        for (long ts : timestamps) {
            request.addRecords(record(null, "at " + ts).toBuilder().setTimestampMs(ts));
        }
        ProduceResponse response = ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                .produce(Flux.just(request.build())).blockLast(TIMEOUT);
        assertThat(response.getErrorMessage()).isEmpty();
    }

    private void commit(String group, String topic, int partition, long offset) {
        admin.commitOffsets(CommitOffsetsRequest.newBuilder().setGroup(group).setTopic(topic)
                .putOffsets(partition, offset).build());
    }

    private GroupDescription describe(String group) {
        return admin.describeGroup(DescribeGroupRequest.newBuilder().setGroup(group).build()).getGroup();
    }

    private Map<Integer, Long> reset(String group, String topic, StartPosition to, Integer... partitions) {
        return admin.resetGroupOffsets(ResetGroupOffsetsRequest.newBuilder().setGroup(group).setTopic(topic)
                .addAllPartitions(List.of(partitions)).setTo(to).build()).getOffsetsMap();
    }

    private Map<Integer, Long> committed(String group, String topic) {
        return admin.fetchCommittedOffsets(FetchCommittedOffsetsRequest.newBuilder().setGroup(group).setTopic(topic).build())
                .getOffsetsMap();
    }

    private List<GroupSummary> listGroups() {
        return admin.listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList();
    }

    private static GroupPartition partition(String topic, int partition, long committed, long end, long lag, String owner) {
        return GroupPartition.newBuilder().setTopic(topic).setPartition(partition).setCommittedOffset(committed)
                .setEndOffset(end).setLag(lag).setOwner(owner).build();
    }

    private static void assertFails(ThrowingCallable call, Status.Code status, ErrorCode code, String... messageParts) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(status);
                    assertThat(e.getStatus().getDescription()).startsWith(code.name() + ": ");
                    for (String part : messageParts) {
                        assertThat(e.getStatus().getDescription()).contains(part);
                    }
                });
    }

    @Test
    void describeShowsCommittedEndAndLagPerPartitionOfEveryCommittedTopic() {
        createTopic("orders", 2);
        createTopic("refunds", 1);
        produceAt("orders", 0, 1, 2, 3, 4, 5);
        produceAt("orders", 1, 1, 2, 3);
        produceAt("refunds", 0, 1, 2);
        commit("billing", "orders", 0, 2);
        commit("billing", "refunds", 0, 2);

        GroupDescription group = describe("billing");

        assertThat(group.getGroup()).isEqualTo("billing");
        assertThat(group.getState()).isEqualTo(GroupState.GROUP_STATE_EMPTY);
        assertThat(group.getMembersList()).isEmpty();
        // Partition 1 has no commit: its lag counts from the log start.
        assertThat(group.getPartitionsList()).containsExactly(
                partition("orders", 0, 2, 5, 3, ""),
                partition("orders", 1, -1, 3, 3, ""),
                partition("refunds", 0, 2, 2, 0, ""));
        assertThat(listGroups()).containsExactly(GroupSummary.newBuilder().setGroup("billing")
                .setState(GroupState.GROUP_STATE_EMPTY).addTopics("orders").addTopics("refunds").build());
    }

    @Test
    void resetMovesAnEmptyGroupToEarliestLatestAnOffsetOrATime() {
        createTopic("events", 2);
        produceAt("events", 0, 100, 200, 300, 400);
        produceAt("events", 1, 150, 250);

        // A group that never existed is created by a reset.
        assertThat(reset("replay", "events", latest())).isEqualTo(Map.of(0, 4L, 1, 2L));
        assertThat(committed("replay", "events")).isEqualTo(Map.of(0, 4L, 1, 2L));

        assertThat(reset("replay", "events", StartPosition.newBuilder().setEarliest(true).build(), 1))
                .isEqualTo(Map.of(1, 0L));
        assertThat(committed("replay", "events")).isEqualTo(Map.of(0, 4L, 1, 0L));

        assertThat(reset("replay", "events", StartPosition.newBuilder().setOffset(3).build()))
                .as("beyond partition 1's end: clamped to it").isEqualTo(Map.of(0, 3L, 1, 2L));

        assertThat(reset("replay", "events", StartPosition.newBuilder().setTimestampMs(201).build()))
                .isEqualTo(Map.of(0, 2L, 1, 1L));
        assertThat(reset("replay", "events", StartPosition.newBuilder().setTimestampMs(10_000).build(), 0))
                .as("no record that late: the end").isEqualTo(Map.of(0, 4L));

        assertThat(committed("replay", "events")).isEqualTo(Map.of(0, 4L, 1, 1L));
        assertThat(describe("replay").getPartitionsList()).extracting(GroupPartition::getLag).containsExactly(0L, 1L);
    }

    @Test
    void deleteForgetsTheGroupDurably() {
        createTopic("logs", 1);
        produceAt("logs", 0, 1, 2, 3);
        commit("audit", "logs", 0, 1);
        commit("keep", "logs", 0, 3);

        admin.deleteGroup(DeleteGroupRequest.newBuilder().setGroup("audit").build());

        assertFails(() -> describe("audit"), Status.Code.NOT_FOUND, ErrorCode.UNKNOWN_GROUP, "'audit'");
        assertThat(committed("audit", "logs")).isEmpty();
        assertThat(listGroups()).extracting(GroupSummary::getGroup).containsExactly("keep");
        assertFails(() -> admin.deleteGroup(DeleteGroupRequest.newBuilder().setGroup("audit").build()),
                Status.Code.NOT_FOUND, ErrorCode.UNKNOWN_GROUP, "'audit'", "no active member and no committed offset");

        fixture.restart();
        admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
        assertFails(() -> describe("audit"), Status.Code.NOT_FOUND, ErrorCode.UNKNOWN_GROUP, "'audit'");
        assertThat(committed("keep", "logs")).isEqualTo(Map.of(0, 3L));
    }

    @Test
    void deletingATopicRemovesItFromTheGroupsThatCommittedOnIt() {
        createTopic("short-lived", 1);
        createTopic("stays", 1);
        commit("g", "short-lived", 0, 0);
        commit("g", "stays", 0, 0);
        commit("only-short", "short-lived", 0, 0);

        admin.deleteTopic(DeleteTopicRequest.newBuilder().setName("short-lived").build());

        assertThat(describe("g").getPartitionsList()).extracting(GroupPartition::getTopic).containsExactly("stays");
        assertThat(listGroups()).extracting(GroupSummary::getGroup).containsExactly("g");
    }

    @Test
    void resetAndDeleteAreRefusedWhileAMemberIsConnected() {
        createTopic("jobs", 2);
        produceAt("jobs", 0, 1, 2);
        commit("workers", "jobs", 0, 1);

        Sinks.Many<ConsumeRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        requests.tryEmitNext(ConsumeRequest.newBuilder().setSubscribe(Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic("jobs"))
                .setGroup(GroupMembership.newBuilder().setGroup("workers").setSessionTimeoutMs(30_000))).build());
        Disposable member = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel())
                .consume(requests.asFlux())
                .filter(ConsumeResponse::hasKeepalive)
                .subscribe(k -> requests.tryEmitNext(ConsumeRequest.newBuilder()
                        .setKeepaliveAck(KeepaliveAck.newBuilder().setId(k.getKeepalive().getId())).build()));
        try {
            await().atMost(TIMEOUT).untilAsserted(() -> {
                GroupDescription group = describe("workers");
                assertThat(group.getMembersList()).hasSize(1);
                assertThat(group.getPartitionsList()).extracting(GroupPartition::getOwner)
                        .containsOnly(group.getMembers(0).getMemberId());
            });
            GroupDescription group = describe("workers");
            assertThat(group.getState()).isEqualTo(GroupState.GROUP_STATE_STABLE);
            assertThat(group.getMembers(0).getTopicsList()).containsExactly("jobs");
            assertThat(group.getMembers(0).getAssignedCount()).isEqualTo(2);
            assertThat(group.getPartitionsList()).extracting(GroupPartition::getCommittedOffset).containsExactly(1L, -1L);
            assertThat(listGroups()).containsExactly(GroupSummary.newBuilder().setGroup("workers")
                    .setState(GroupState.GROUP_STATE_STABLE).setMembers(1).addTopics("jobs").build());

            assertFails(() -> reset("workers", "jobs", latest()), Status.Code.FAILED_PRECONDITION, ErrorCode.GROUP_NOT_EMPTY);
            assertFails(() -> admin.deleteGroup(DeleteGroupRequest.newBuilder().setGroup("workers").build()),
                    Status.Code.FAILED_PRECONDITION, ErrorCode.GROUP_NOT_EMPTY);
            assertThat(committed("workers", "jobs")).as("nothing moved").isEqualTo(Map.of(0, 1L));
        } finally {
            member.dispose();
        }

        // A dynamic member leaves as soon as its stream closes.
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(describe("workers").getMembersList()).isEmpty());
        assertThat(describe("workers").getState()).isEqualTo(GroupState.GROUP_STATE_EMPTY);
        assertThat(reset("workers", "jobs", latest())).isEqualTo(Map.of(0, 2L, 1, 0L));
        admin.deleteGroup(DeleteGroupRequest.newBuilder().setGroup("workers").build());
        assertFails(() -> describe("workers"), Status.Code.NOT_FOUND, ErrorCode.UNKNOWN_GROUP);
    }

    @Test
    void badInputGetsAPreciseStatus() {
        createTopic("t", 2);
        String tooLong = "g".repeat(256);

        for (String bad : List.of("", tooLong, "a\0b")) {
            assertFails(() -> describe(bad), Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_REQUEST, "1 to 255 characters");
            assertFails(() -> admin.deleteGroup(DeleteGroupRequest.newBuilder().setGroup(bad).build()),
                    Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_REQUEST, "1 to 255 characters");
            assertFails(() -> reset(bad, "t", latest()), Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_REQUEST,
                    "1 to 255 characters");
        }
        assertFails(() -> describe("nobody"), Status.Code.NOT_FOUND, ErrorCode.UNKNOWN_GROUP, "'nobody'");
        assertFails(() -> admin.deleteGroup(DeleteGroupRequest.newBuilder().setGroup("nobody").build()),
                Status.Code.NOT_FOUND, ErrorCode.UNKNOWN_GROUP, "'nobody'");

        assertFails(() -> reset("g", "ghost", latest()), Status.Code.NOT_FOUND, ErrorCode.UNKNOWN_TOPIC, "'ghost'");
        assertFails(() -> reset("g", "bad/name", latest()), Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_TOPIC_NAME);
        assertFails(() -> reset("g", "t", latest(), 0, 2), Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_PARTITION,
                "Partition 2", "0..1");
        assertFails(() -> reset("g", "t", latest(), -1), Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_PARTITION,
                "Partition -1");
        assertFails(() -> reset("g", "t", StartPosition.getDefaultInstance()), Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_REQUEST, "no target", "earliest, latest");
        assertFails(() -> reset("g", "t", StartPosition.newBuilder().setOffset(-5).build()), Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_OFFSET, "-5");
        assertFails(() -> reset("g", "t", StartPosition.newBuilder().setTimestampMs(-1).build()), Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_REQUEST, "timestamp -1");

        // None of it created anything.
        assertThat(listGroups()).isEmpty();
    }
}
