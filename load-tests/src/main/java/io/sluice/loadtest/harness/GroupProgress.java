package io.sluice.loadtest.harness;

import io.grpc.Status;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a consumer group's members saw, together: records read once (per partition, offsets below the
 * highest one read count once, so a partition re-read after a move shows up as duplicates and a skipped
 * range as a gap), who owns what, and the moments that matter: first assignment, group stable (every
 * partition owned, and shares differ by at most one), all records read, and the partitions of a leaving
 * member covered by the others. Times are {@link System#nanoTime()}; 0 means not yet.
 */
final class GroupProgress {
    private final int partitions;
    private final int members;
    private final long target;
    private final AtomicLongArray next;
    private final AtomicLong distinct = new AtomicLong();
    private final LongAdder received = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final AtomicLong lastConsumeNanos = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);
    private final CountDownLatch stable = new CountDownLatch(1);
    private final Map<String, Long> errors = new ConcurrentHashMap<>();
    private volatile long doneNanos;
    // Ownership, guarded by this.
    private final Map<Integer, Set<Integer>> owned = new HashMap<>();
    private final Set<Integer> joined = new HashSet<>();
    private long firstAssignedNanos;
    private long stableNanos;
    private long movedPartitions;
    private Set<Integer> watched; // members that must cover every partition, or null
    private CountDownLatch covered;
    private long coveredNanos;

    /**
     * @param target        distinct records to read before the run is done
     * @param startOffsets  each partition's first offset (the log start when reading from the earliest)
     */
    GroupProgress(int partitions, int members, long target, long[] startOffsets) {
        this.partitions = partitions;
        this.members = members;
        this.target = target;
        this.next = new AtomicLongArray(startOffsets);
        if (target <= 0) {
            done.countDown();
        }
    }

    /** A batch of {@code count} records from {@code base} on. */
    void consumed(int partition, long base, int count, long now) {
        long end = base + count;
        long before = next.getAndAccumulate(partition, end, Math::max);
        long fresh = Math.max(0, end - Math.max(base, before));
        if (base > before) {
            gaps.add(base - before);
        }
        duplicates.add(count - fresh);
        received.add(count);
        lastConsumeNanos.accumulateAndGet(now, Math::max);
        if (fresh > 0 && distinct.addAndGet(fresh) >= target && done.getCount() > 0) {
            doneNanos = now;
            done.countDown();
        }
    }

    synchronized void joined(int member) {
        joined.add(member);
    }

    /** The member's partitions after an Assignment that revoked {@code revoked} of them. */
    synchronized void owned(int member, Set<Integer> partitionsNow, int revoked, long now) {
        owned.put(member, Set.copyOf(partitionsNow));
        movedPartitions += revoked;
        if (firstAssignedNanos == 0 && !partitionsNow.isEmpty()) {
            firstAssignedNanos = now;
        }
        if (stableNanos == 0 && balanced()) {
            stableNanos = now;
            stable.countDown();
        }
        checkCovered(now);
    }

    private boolean balanced() {
        if (joined.size() < members || owned.size() < members) {
            return false;
        }
        int total = 0;
        for (Set<Integer> mine : owned.values()) {
            if (mine.size() < partitions / members || mine.size() > (partitions + members - 1) / members) {
                return false;
            }
            total += mine.size();
        }
        return total == partitions;
    }

    /** From now on, waits for {@code remaining} to own every partition between them (e.g. after one member leaves). */
    synchronized CountDownLatch watchCoverage(Set<Integer> remaining) {
        watched = Set.copyOf(remaining);
        covered = new CountDownLatch(1);
        coveredNanos = 0;
        checkCovered(System.nanoTime());
        return covered;
    }

    private void checkCovered(long now) {
        if (watched == null || coveredNanos != 0) {
            return;
        }
        int total = 0;
        for (int m : watched) {
            total += owned.getOrDefault(m, Set.of()).size();
        }
        if (total == partitions) {
            coveredNanos = now;
            covered.countDown();
        }
    }

    void failed(int member, Status status) {
        error("MEMBER_" + status.getCode().name());
    }

    void error(String what) {
        errors.merge(what, 1L, Long::sum);
    }

    boolean awaitDone(long nanos) throws InterruptedException {
        return done.await(nanos, TimeUnit.NANOSECONDS);
    }

    boolean awaitStable(long nanos) throws InterruptedException {
        return stable.await(nanos, TimeUnit.NANOSECONDS);
    }

    long distinct() {
        return distinct.get();
    }

    long received() {
        return received.sum();
    }

    long duplicates() {
        return duplicates.sum();
    }

    long gaps() {
        return gaps.sum();
    }

    /** When the target was reached; 0 if not (yet). */
    long doneNanos() {
        return doneNanos;
    }

    long lastConsumeNanos() {
        return lastConsumeNanos.get();
    }

    synchronized long firstAssignedNanos() {
        return firstAssignedNanos;
    }

    synchronized long stableNanos() {
        return stableNanos;
    }

    synchronized long coveredNanos() {
        return coveredNanos;
    }

    synchronized long movedPartitions() {
        return movedPartitions;
    }

    /** Partitions owned per member, in member order. */
    synchronized List<Integer> shares() {
        return java.util.stream.IntStream.range(0, members).mapToObj(m -> owned.getOrDefault(m, Set.of()).size()).toList();
    }

    Map<String, Long> errors() {
        return new TreeMap<>(errors);
    }
}
