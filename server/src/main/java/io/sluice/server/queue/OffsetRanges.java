package io.sluice.server.queue;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** Disjoint, non-adjacent ranges {@code [from, to)} of offsets: a run of settled records is one entry, not one per record. */
final class OffsetRanges {
    /** from -> to (exclusive). */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();

    /** Adds {@code [from, to)}, merging with ranges it touches. */
    void add(long from, long to) {
        if (from >= to) {
            return;
        }
        Map.Entry<Long, Long> before = ranges.floorEntry(from);
        if (before != null && before.getValue() >= from) {
            from = before.getKey();
            to = Math.max(to, before.getValue());
        }
        Map.Entry<Long, Long> next;
        while ((next = ranges.ceilingEntry(from)) != null && next.getKey() <= to) {
            to = Math.max(to, next.getValue());
            ranges.remove(next.getKey());
        }
        ranges.put(from, to);
    }

    boolean contains(long offset) {
        Map.Entry<Long, Long> range = ranges.floorEntry(offset);
        return range != null && offset < range.getValue();
    }

    /** Forgets every offset below {@code offset}. */
    void removeBelow(long offset) {
        Map.Entry<Long, Long> first;
        while ((first = ranges.firstEntry()) != null && first.getKey() < offset) {
            ranges.remove(first.getKey());
            if (first.getValue() > offset) {
                ranges.put(offset, first.getValue());
            }
        }
    }

    /** Offsets covered at or above {@code from}. */
    long countFrom(long from) {
        Long start = ranges.floorKey(from);
        long count = 0;
        for (Map.Entry<Long, Long> range : ranges.tailMap(start == null ? from : start).entrySet()) {
            count += Math.max(0, range.getValue() - Math.max(from, range.getKey()));
        }
        return count;
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    int size() {
        return ranges.size();
    }

    void forEach(BiConsumer<Long, Long> action) {
        ranges.forEach(action);
    }
}
