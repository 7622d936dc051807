package io.sluice.server.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OffsetRangesTest {
    private static List<String> ranges(OffsetRanges ranges) {
        List<String> out = new ArrayList<>();
        ranges.forEach((from, to) -> out.add(from + "-" + to));
        return out;
    }

    @Test
    void touchingAndOverlappingRangesMergeIntoOne() {
        OffsetRanges ranges = new OffsetRanges();
        ranges.add(10, 12);
        ranges.add(20, 25);
        ranges.add(5, 6);
        assertThat(ranges(ranges)).containsExactly("5-6", "10-12", "20-25");
        ranges.add(12, 20);
        assertThat(ranges(ranges)).containsExactly("5-6", "10-25");
        ranges.add(4, 30);
        assertThat(ranges(ranges)).containsExactly("4-30");
        ranges.add(7, 7);
        assertThat(ranges.size()).isEqualTo(1);
    }

    @Test
    void containsCountAndRemoveBelow() {
        OffsetRanges ranges = new OffsetRanges();
        ranges.add(10, 20);
        ranges.add(30, 35);
        assertThat(ranges.contains(9)).isFalse();
        assertThat(ranges.contains(10)).isTrue();
        assertThat(ranges.contains(19)).isTrue();
        assertThat(ranges.contains(20)).isFalse();
        assertThat(ranges.countFrom(0)).isEqualTo(15);
        assertThat(ranges.countFrom(15)).isEqualTo(10);
        assertThat(ranges.countFrom(25)).isEqualTo(5);
        ranges.removeBelow(15);
        assertThat(ranges(ranges)).containsExactly("15-20", "30-35");
        ranges.removeBelow(32);
        assertThat(ranges(ranges)).containsExactly("32-35");
        ranges.removeBelow(40);
        assertThat(ranges.isEmpty()).isTrue();
    }
}
