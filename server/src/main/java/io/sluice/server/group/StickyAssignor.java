package io.sluice.server.group;

import io.sluice.server.log.TopicPartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The target assignment of a group: every partition to exactly one member subscribed to its topic, counts as
 * even as the subscriptions allow, and as few moves as possible from what members own now. Pure and
 * deterministic, so the coordinator can recompute it on every change.
 *
 * <p>First each member keeps what it owns, up to its quota: {@code P / N} partitions, one more for the first
 * {@code P % N} members by how many they own now (so the extra slots stay where partitions already are).
 * Then every partition left over goes to the eligible member with the fewest partitions.
 */
final class StickyAssignor {
    private StickyAssignor() {
    }

    /**
     * A member's subscription and what it owns now.
     *
     * @param accepting whether it may be given partitions it does not own (false while a static member is
     *                  away: it keeps what it has, and nothing new waits for it)
     */
    record Member(String id, Set<String> topics, Set<TopicPartition> owned, boolean accepting) {
    }

    /** Member id -> the partitions it should own; every member is a key. */
    static Map<String, Set<TopicPartition>> assign(List<TopicPartition> partitions, List<Member> members) {
        Map<String, Set<TopicPartition>> target = new LinkedHashMap<>();
        members.forEach(m -> target.put(m.id(), new HashSet<>()));
        if (members.isEmpty()) {
            return target;
        }
        Set<TopicPartition> exists = new HashSet<>(partitions);
        int floor = partitions.size() / members.size();
        int extras = partitions.size() % members.size();
        List<Member> byOwned = new ArrayList<>(members);
        byOwned.sort(Comparator.comparingInt((Member m) -> m.owned().size()).reversed().thenComparing(Member::id));
        Set<TopicPartition> taken = new HashSet<>();
        for (Member member : byOwned) {
            int quota = floor;
            if (extras > 0 && member.owned().size() > floor) {
                quota++;
                extras--;
            }
            member.owned().stream()
                    .filter(p -> exists.contains(p) && member.topics().contains(p.topic()) && !taken.contains(p))
                    .sorted(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition))
                    .limit(quota)
                    .forEach(p -> {
                        target.get(member.id()).add(p);
                        taken.add(p);
                    });
        }
        Map<String, Member> byId = new HashMap<>();
        members.forEach(m -> byId.put(m.id(), m));
        for (TopicPartition partition : partitions) {
            if (taken.contains(partition)) {
                continue;
            }
            target.entrySet().stream()
                    .filter(e -> byId.get(e.getKey()).accepting() && byId.get(e.getKey()).topics().contains(partition.topic()))
                    .min(Comparator.comparingInt((Map.Entry<String, Set<TopicPartition>> e) -> e.getValue().size())
                            .thenComparing(Map.Entry::getKey))
                    .ifPresent(e -> e.getValue().add(partition));
        }
        return target;
    }
}
