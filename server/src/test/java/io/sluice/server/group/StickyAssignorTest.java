package io.sluice.server.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.log.TopicPartition;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StickyAssignorTest {
    private static List<TopicPartition> partitions(String topic, int count) {
        return IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }

    private static StickyAssignor.Member member(String id, Set<TopicPartition> owned, String... topics) {
        return new StickyAssignor.Member(id, Set.of(topics), owned, true);
    }

    @Test
    void spreadsEvenlyAndGivesEveryPartitionOneOwner() {
        Map<String, Set<TopicPartition>> target = StickyAssignor.assign(partitions("t", 8),
                List.of(member("a", Set.of(), "t"), member("b", Set.of(), "t"), member("c", Set.of(), "t")));
        assertThat(target.values().stream().map(Set::size).sorted().toList()).containsExactly(2, 3, 3);
        Set<TopicPartition> all = new HashSet<>();
        target.values().forEach(s -> assertThat(all.addAll(s)).isTrue());
        assertThat(all).containsExactlyInAnyOrderElementsOf(partitions("t", 8));
    }

    @Test
    void whenAMemberLeavesTheOthersKeepEverythingTheyOwn() {
        List<TopicPartition> ps = partitions("t", 6);
        Set<TopicPartition> a = Set.of(ps.get(0), ps.get(1));
        Set<TopicPartition> b = Set.of(ps.get(2), ps.get(3));
        Map<String, Set<TopicPartition>> target = StickyAssignor.assign(ps, List.of(member("a", a, "t"), member("b", b, "t")));
        assertThat(target.get("a")).containsAll(a).hasSize(3);
        assertThat(target.get("b")).containsAll(b).hasSize(3);
    }

    @Test
    void onlyMembersSubscribedToATopicGetItsPartitions() {
        List<TopicPartition> ps = new java.util.ArrayList<>(partitions("x", 4));
        ps.addAll(partitions("y", 2));
        Map<String, Set<TopicPartition>> target = StickyAssignor.assign(ps,
                List.of(member("a", Set.of(), "x"), member("b", Set.of(), "y")));
        assertThat(target.get("a")).containsExactlyInAnyOrderElementsOf(partitions("x", 4));
        assertThat(target.get("b")).containsExactlyInAnyOrderElementsOf(partitions("y", 2));
    }

    @Test
    void anAbsentStaticMemberKeepsItsPartitionsButGetsNoNewOnes() {
        List<TopicPartition> ps = partitions("t", 4);
        Map<String, Set<TopicPartition>> target = StickyAssignor.assign(ps, List.of(
                new StickyAssignor.Member("away", Set.of("t"), Set.of(ps.get(0)), false),
                member("here", Set.of(), "t")));
        assertThat(target.get("away")).containsExactly(ps.get(0));
        assertThat(target.get("here")).containsExactlyInAnyOrder(ps.get(1), ps.get(2), ps.get(3));
    }
}
