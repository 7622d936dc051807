package io.sluice.server.group;

import io.sluice.proto.v1.GroupState;
import io.sluice.server.log.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One group's members and who owns which partition, and the two-step moves between them. Coordinator thread
 * only. The invariant: a partition has at most one owner; it is assigned to a new member only once the
 * previous owner released it (confirmed the revoke, left, or timed out).
 */
final class ConsumerGroup {
    /** What the group does when ownership changes, so the coordinator can log and publish it. */
    interface Listener {
        void assigned(ConsumerGroup group, Member member, TopicPartition partition);

        void released(ConsumerGroup group, Member member, TopicPartition partition);
    }

    final String name;
    final Map<String, Member> members = new LinkedHashMap<>();
    final Map<String, Member> byInstance = new HashMap<>();
    final Map<TopicPartition, Member> owners = new HashMap<>();
    private final Listener listener;

    ConsumerGroup(String name, Listener listener) {
        this.name = name;
        this.listener = listener;
    }

    void add(Member member) {
        members.put(member.id, member);
        if (member.isStatic()) {
            byInstance.put(member.instanceId, member);
        }
    }

    /** Takes the member out of the group; what it owns stays owned until {@link #releaseAll}. */
    void remove(Member member) {
        members.remove(member.id);
        if (member.isStatic()) {
            byInstance.remove(member.instanceId, member);
        }
    }

    /** Frees everything the member owns. */
    void releaseAll(Member member) {
        new ArrayList<>(member.owned).forEach(p -> release(member, p));
    }

    /** No member, and no partition still held by a departed member's unfinished commit. */
    boolean idle() {
        return members.isEmpty() && owners.isEmpty();
    }

    /** The member gives up the partition, which is then free for the next reconcile. */
    void release(Member member, TopicPartition partition) {
        if (member.owned.remove(partition)) {
            member.revoking.remove(partition);
            member.assignedAtEpoch.remove(partition);
            owners.remove(partition, member);
            listener.released(this, member, partition);
        }
    }

    /**
     * Moves the group toward its target assignment: revokes what a member must give up, and assigns every
     * partition that is free and targeted. A targeted partition still held by another member waits for its
     * release. {@code partitionsOf} lists a topic's partitions (none for a topic that no longer exists).
     */
    void reconcile(Function<String, List<TopicPartition>> partitionsOf) {
        Set<String> topics = topics();
        List<TopicPartition> partitions = new ArrayList<>();
        topics.forEach(t -> partitions.addAll(partitionsOf.apply(t)));
        // Partitions of deleted topics just go: their streams end on their own.
        Set<TopicPartition> existing = new java.util.HashSet<>(partitions);
        for (Member member : members.values()) {
            new ArrayList<>(member.owned).stream().filter(p -> !existing.contains(p)).forEach(p -> release(member, p));
        }
        List<StickyAssignor.Member> specs = members.values().stream()
                .map(m -> {
                    Set<TopicPartition> keeping = new java.util.HashSet<>(m.owned);
                    keeping.removeAll(m.revoking);
                    return new StickyAssignor.Member(m.id, Set.copyOf(m.topics), keeping, m.connected());
                })
                .toList();
        Map<String, Set<TopicPartition>> target = StickyAssignor.assign(partitions, specs);
        for (Member member : members.values()) {
            List<TopicPartition> revoke = sorted(member.owned.stream()
                    .filter(p -> !member.revoking.contains(p) && !target.get(member.id).contains(p)).toList());
            if (!revoke.isEmpty()) {
                member.revoking.addAll(revoke);
                member.epoch++;
                if (member.connected()) {
                    member.channel.revoked(member.epoch, revoke);
                }
            }
        }
        for (Member member : members.values()) {
            List<TopicPartition> assign = sorted(target.get(member.id).stream()
                    .filter(p -> !member.owned.contains(p) && !owners.containsKey(p)).toList());
            if (!assign.isEmpty()) {
                member.epoch++;
                for (TopicPartition p : assign) {
                    member.owned.add(p);
                    member.assignedAtEpoch.put(p, member.epoch);
                    owners.put(p, member);
                    listener.assigned(this, member, p);
                }
                if (member.connected()) {
                    member.channel.assigned(member.epoch, assign);
                }
            }
        }
    }

    /** Every topic some member subscribed to. */
    Set<String> topics() {
        Set<String> topics = new TreeSet<>();
        members.values().forEach(m -> topics.addAll(m.topics));
        return topics;
    }

    GroupView view(Function<String, List<TopicPartition>> partitionsOf) {
        Set<String> topics = topics();
        boolean moving = members.values().stream().anyMatch(m -> !m.revoking.isEmpty())
                || topics.stream().flatMap(t -> partitionsOf.apply(t).stream()).anyMatch(p -> !owners.containsKey(p));
        List<MemberView> views = members.values().stream()
                .map(m -> new MemberView(m.id, m.instanceId, m.clientId, m.epoch, m.topics, sorted(m.owned),
                        sorted(m.revoking), Duration.ofNanos(m.sessionTimeoutNanos), m.connected()))
                .toList();
        return new GroupView(name, moving ? GroupState.GROUP_STATE_RECONCILING : GroupState.GROUP_STATE_STABLE, views, topics);
    }

    static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
        return partitions.stream()
                .sorted(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition))
                .toList();
    }
}
