package io.sluice.server.log;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The idempotent-producer state of one partition: for each producer id, its last
 * {@link #RETAINED} batches (sequence → offsets), as Kafka keeps. Touched only on the log's writer
 * thread, where appends are ordered, so a retried batch is recognised even while the original is
 * still in flight on another stream.
 */
final class ProducerSequences {
    /** Batches remembered per producer and partition. */
    static final int RETAINED = 5;

    /** One appended batch of a producer. */
    record Entry(int sequence, long baseOffset, int recordCount) {
    }

    /** What to do with a batch: append it, answer with the original offsets, or refuse it. */
    sealed interface Decision permits Append, Duplicate, OutOfOrder {
    }

    record Append() implements Decision {
    }

    record Duplicate(Entry original) implements Decision {
    }

    record OutOfOrder(String reason) implements Decision {
    }

    private static final Append APPEND = new Append();
    private final Map<Long, ArrayDeque<Entry>> byProducer = new HashMap<>();

    Decision check(long producerId, int sequence) {
        ArrayDeque<Entry> entries = byProducer.get(producerId);
        if (entries == null || entries.isEmpty()) {
            // A producer we know nothing of (new, or its state expired with the data) starts anywhere.
            return APPEND;
        }
        int last = entries.peekLast().sequence();
        if (sequence == last + 1) {
            return APPEND;
        }
        for (Entry entry : entries) {
            if (entry.sequence() == sequence) {
                return new Duplicate(entry);
            }
        }
        if (sequence > last) {
            return new OutOfOrder("sequence " + sequence + " leaves a gap after " + last
                    + ": batches " + (last + 1) + ".." + (sequence - 1) + " were never appended");
        }
        return new OutOfOrder("sequence " + sequence + " is older than the last " + RETAINED
                + " batches remembered (" + entries.peekFirst().sequence() + ".." + last + ")");
    }

    /** Remembers an appended batch; returns the producer's entries to persist. */
    byte[] record(long producerId, Entry entry) {
        ArrayDeque<Entry> entries = byProducer.computeIfAbsent(producerId, id -> new ArrayDeque<>(RETAINED));
        entries.addLast(entry);
        while (entries.size() > RETAINED) {
            entries.removeFirst();
        }
        return encode(entries);
    }

    /** Undoes {@link #record} for a batch whose write failed. */
    void forget(long producerId, Entry entry) {
        ArrayDeque<Entry> entries = byProducer.get(producerId);
        if (entries != null) {
            entries.removeLastOccurrence(entry);
        }
    }

    /** Restores a producer's persisted entries at startup. */
    void restore(long producerId, byte[] encoded) {
        ByteBuffer in = ByteBuffer.wrap(encoded);
        ArrayDeque<Entry> entries = new ArrayDeque<>(RETAINED);
        while (in.remaining() >= 16) {
            entries.addLast(new Entry(in.getInt(), in.getLong(), in.getInt()));
        }
        byProducer.put(producerId, entries);
    }

    private static byte[] encode(ArrayDeque<Entry> entries) {
        ByteBuffer out = ByteBuffer.allocate(entries.size() * 16);
        for (Entry e : entries) {
            out.putInt(e.sequence()).putLong(e.baseOffset()).putInt(e.recordCount());
        }
        return out.array();
    }
}
