package io.sluice.client;

import java.util.HashMap;
import java.util.Map;

/** An idempotent producer's next batch sequence per partition: 0, 1, 2, ... Not thread-safe: its owner locks. */
final class Sequences {
    private final Map<TopicPartition, Integer> next = new HashMap<>();

    /** The sequence of the next batch of {@code partition}, consumed. */
    int take(TopicPartition partition) {
        int sequence = next.getOrDefault(partition, 0);
        // Overflows like the broker's own "last + 1", so the two agree even after 2^31 batches.
        next.put(partition, sequence + 1);
        return sequence;
    }
}
