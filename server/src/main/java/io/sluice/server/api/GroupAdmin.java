package io.sluice.server.api;

import io.sluice.proto.v1.DeleteGroupResponse;
import io.sluice.proto.v1.DescribeGroupResponse;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.GroupDescription;
import io.sluice.proto.v1.GroupMember;
import io.sluice.proto.v1.GroupPartition;
import io.sluice.proto.v1.GroupState;
import io.sluice.proto.v1.GroupSummary;
import io.sluice.proto.v1.ListGroupsResponse;
import io.sluice.proto.v1.PartitionRef;
import io.sluice.proto.v1.ResetGroupOffsetsRequest;
import io.sluice.proto.v1.ResetGroupOffsetsResponse;
import io.sluice.proto.v1.StartPosition;
import io.sluice.server.error.SluiceException;
import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.group.GroupNames;
import io.sluice.server.group.GroupView;
import io.sluice.server.group.MemberView;
import io.sluice.server.log.CommittedOffsets;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.Topic;
import io.sluice.server.log.TopicPartition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The consumer-group admin calls: what the coordinator knows of active groups merged with the committed
 * offsets, and the changes to offsets allowed only while a group has no member. Results of the coordinator
 * are processed on the metadata scheduler, never on the coordinator's thread.
 */
final class GroupAdmin {
    private final LogManager logs;
    private final GroupCoordinator coordinator;
    private final Scheduler scheduler;

    GroupAdmin(LogManager logs, GroupCoordinator coordinator, Scheduler scheduler) {
        this.logs = logs;
        this.coordinator = coordinator;
        this.scheduler = scheduler;
    }

    Mono<ListGroupsResponse> list() {
        return Mono.defer(coordinator::groups).publishOn(scheduler).map(active -> {
            CommittedOffsets offsets = logs.offsets();
            Map<String, GroupSummary> byName = new TreeMap<>();
            for (GroupView view : active) {
                byName.put(view.group(), GroupSummary.newBuilder()
                        .setGroup(view.group())
                        .setState(view.state())
                        .setMembers(view.members().size())
                        .addAllTopics(topics(Optional.of(view), offsets.fetch(view.group())))
                        .build());
            }
            for (String group : offsets.groups()) {
                byName.computeIfAbsent(group, g -> GroupSummary.newBuilder()
                        .setGroup(g)
                        .setState(GroupState.GROUP_STATE_EMPTY)
                        .addAllTopics(topics(Optional.empty(), offsets.fetch(g)))
                        .build());
            }
            return ListGroupsResponse.newBuilder().addAllGroups(byName.values()).build();
        });
    }

    Mono<DescribeGroupResponse> describe(String group) {
        return Mono.defer(() -> {
            GroupNames.validate(group);
            return coordinator.group(group);
        }).publishOn(scheduler).map(view -> DescribeGroupResponse.newBuilder().setGroup(describe(group, view)).build());
    }

    private GroupDescription describe(String group, Optional<GroupView> view) {
        Map<TopicPartition, Long> committed = logs.offsets().fetch(group);
        if (view.isEmpty() && committed.isEmpty()) {
            throw unknownGroup(group);
        }
        GroupDescription.Builder description = GroupDescription.newBuilder()
                .setGroup(group)
                .setState(view.map(GroupView::state).orElse(GroupState.GROUP_STATE_EMPTY));
        Map<TopicPartition, String> owners = new HashMap<>();
        for (MemberView member : view.map(GroupView::members).orElse(List.of())) {
            description.addMembers(member(member));
            member.assigned().forEach(tp -> owners.put(tp, member.memberId()));
        }
        for (String name : topics(view, committed)) {
            // A subscribed topic may not exist (yet): it has no partition to show.
            Optional<Topic> topic = logs.find(name);
            for (PartitionLog log : topic.map(Topic::partitions).orElse(List.of())) {
                Long offset = committed.get(log.id());
                long end = log.highWatermark();
                long lag = end - (offset == null ? log.startOffset() : offset);
                description.addPartitions(GroupPartition.newBuilder()
                        .setTopic(name)
                        .setPartition(log.id().partition())
                        .setCommittedOffset(offset == null ? -1 : offset)
                        .setEndOffset(end)
                        .setLag(Math.max(0, lag))
                        .setOwner(owners.getOrDefault(log.id(), "")));
            }
        }
        return description.build();
    }

    private static GroupMember member(MemberView member) {
        return GroupMember.newBuilder()
                .setMemberId(member.memberId())
                .setInstanceId(Objects.requireNonNullElse(member.instanceId(), ""))
                .setClientId(Objects.requireNonNullElse(member.clientId(), ""))
                .setMemberEpoch(member.epoch())
                .addAllTopics(member.topics())
                .addAllAssigned(member.assigned().stream().map(GroupAdmin::ref).toList())
                .addAllRevoking(member.revoking().stream().map(GroupAdmin::ref).toList())
                .setSessionTimeoutMs((int) member.sessionTimeout().toMillis())
                .setConnected(member.connected())
                .build();
    }

    private static PartitionRef ref(TopicPartition tp) {
        return PartitionRef.newBuilder().setTopic(tp.topic()).setPartition(tp.partition()).build();
    }

    /** The topics the group reads or has committed offsets for, sorted. */
    private static SortedSet<String> topics(Optional<GroupView> view, Map<TopicPartition, Long> committed) {
        SortedSet<String> topics = new TreeSet<>(view.map(GroupView::topics).orElse(java.util.Set.of()));
        committed.keySet().forEach(tp -> topics.add(tp.topic()));
        return topics;
    }

    /**
     * The new offsets are found first (a time lookup reads storage), then committed only if the group has no
     * member once the coordinator runs the commit.
     */
    Mono<ResetGroupOffsetsResponse> reset(ResetGroupOffsetsRequest request) {
        return Mono.fromCallable(() -> targets(request)).subscribeOn(scheduler)
                .flatMap(targets -> coordinator.whenEmpty(request.getGroup(),
                        () -> logs.offsets().commit(request.getGroup(), request.getTopic(), targets)
                                .thenReturn(ResetGroupOffsetsResponse.newBuilder().putAllOffsets(targets).build())));
    }

    /** Partition -> new offset; blocking (a time lookup reads storage). */
    private Map<Integer, Long> targets(ResetGroupOffsetsRequest request) {
        GroupNames.validate(request.getGroup());
        Topic topic = logs.topic(request.getTopic());
        StartPosition to = request.getTo();
        switch (to.getPositionCase()) {
            case POSITION_NOT_SET -> throw new SluiceException(ErrorCode.INVALID_REQUEST, "Reset of group '"
                    + request.getGroup() + "' names no target: set 'to' to earliest, latest, an offset or a timestamp");
            case OFFSET -> {
                if (to.getOffset() < 0) {
                    throw new SluiceException(ErrorCode.INVALID_OFFSET, "Reset offset " + to.getOffset() + " is negative");
                }
            }
            case TIMESTAMP_MS -> {
                if (to.getTimestampMs() < 0) {
                    throw new SluiceException(ErrorCode.INVALID_REQUEST, "Reset timestamp " + to.getTimestampMs()
                            + " is negative: give a time in ms since the epoch");
                }
            }
            default -> {
            }
        }
        SortedSet<Integer> partitions = new TreeSet<>(request.getPartitionsList());
        if (partitions.isEmpty()) {
            topic.partitions().forEach(log -> partitions.add(log.id().partition()));
        }
        Map<Integer, Long> targets = new TreeMap<>();
        for (int partition : partitions) {
            PartitionLog log = topic.partition(partition);
            targets.put(partition, switch (to.getPositionCase()) {
                case EARLIEST -> log.startOffset();
                case LATEST -> log.highWatermark();
                // Clamped: below the start, the start; beyond the end, the end.
                case OFFSET -> Math.min(Math.max(to.getOffset(), log.startOffset()), log.highWatermark());
                case TIMESTAMP_MS -> log.offsetForTimestamp(to.getTimestampMs());
                case POSITION_NOT_SET -> throw new IllegalStateException("checked above");
            });
        }
        return targets;
    }

    /** Deletes the group's committed offsets if it has no member; UNKNOWN_GROUP if it has none either. */
    Mono<DeleteGroupResponse> delete(String group) {
        return Mono.defer(() -> {
            GroupNames.validate(group);
            return coordinator.whenEmpty(group, () -> logs.offsets().groups().contains(group)
                    ? logs.offsets().deleteGroup(group).thenReturn(DeleteGroupResponse.getDefaultInstance())
                    : Mono.error(unknownGroup(group)));
        });
    }

    private static SluiceException unknownGroup(String group) {
        return new SluiceException(ErrorCode.UNKNOWN_GROUP, "Consumer group '" + group
                + "' does not exist: it has no active member and no committed offset");
    }
}
