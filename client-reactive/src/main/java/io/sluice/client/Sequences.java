package io.sluice.client;

import java.util.HashMap;
import java.util.Map;

/**
 * Idempotent batch sequences: for each producer id and partition, 0, 1, 2, ... (a renewed id starts again
 * at 0). Not thread-safe: its owner locks.
 */
final class Sequences {
    private final Map<Key, Integer> next = new HashMap<>();

    /** The sequence of the producer's next batch for {@code partition}, consumed. */
    int take(long producerId, TopicPartition partition) {
        Key key = new Key(producerId, partition);
        int sequence = next.getOrDefault(key, 0);
        // Overflows like the broker's own "last + 1", so the two agree even after 2^31 batches.
        next.put(key, sequence + 1);
        return sequence;
    }

    /** Forgets a producer id that was given up. */
    void forget(long producerId) {
        next.keySet().removeIf(key -> key.producerId() == producerId);
    }

    private record Key(long producerId, TopicPartition partition) {
    }
}
