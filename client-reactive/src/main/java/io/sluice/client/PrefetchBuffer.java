package io.sluice.client;

import java.util.ArrayDeque;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The records a consume session received and has not yet passed to its subscriber, with their bytes (what
 * {@link CreditGrants} counts as buffered). Not thread-safe: its session's worker owns it.
 */
final class PrefetchBuffer<T> {
    private final ArrayDeque<T> records = new ArrayDeque<>();
    private final ToIntFunction<T> bytesOf;
    private long bytes;

    /** @param bytesOf a record's size, as the broker counts it against byte credit */
    PrefetchBuffer(ToIntFunction<T> bytesOf) {
        this.bytesOf = bytesOf;
    }

    void add(T record) {
        records.add(record);
        bytes += bytesOf.applyAsInt(record);
    }

    /** The oldest record, removed; null when empty. */
    T poll() {
        T record = records.poll();
        if (record != null) {
            bytes -= bytesOf.applyAsInt(record);
        }
        return record;
    }

    /** Drops the records that match. */
    void removeIf(Predicate<T> drop) {
        records.removeIf(r -> {
            if (drop.test(r)) {
                bytes -= bytesOf.applyAsInt(r);
                return true;
            }
            return false;
        });
    }

    void clear() {
        records.clear();
        bytes = 0;
    }

    boolean isEmpty() {
        return records.isEmpty();
    }

    int size() {
        return records.size();
    }

    long bytes() {
        return bytes;
    }
}
