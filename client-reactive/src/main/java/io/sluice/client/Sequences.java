package io.sluice.client;

import java.util.HashMap;
import java.util.Map;

/**
 * Idempotent batch sequences: for each producer id and partition, 0, 1, 2, ... (a renewed id starts again
 * at 0). Not thread-safe: its owner locks.
 *
 * <p>A batch the broker refused was not appended, so its sequence must be used again, or every later batch
 * of the partition would leave a gap. The broker answers a partition's batches in order, so when one is
 * refused the ones before it are answered; the ones after it, already sent, are still to be answered (and
 * not appended either, unless the broker knew nothing of the producer yet: then it accepts any sequence).
 * The partition is then <em>rewinding</em>: its owner takes no new sequence for it until every batch of it
 * sent so far is answered, then {@link #rewind}s it to just after the last one the broker appended.
 */
final class Sequences {
    private final Map<Key, Integer> next = new HashMap<>();
    /** Rewinding partitions: the sequence to go on from once all their batches sent so far are answered. */
    private final Map<Key, Integer> rewindTo = new HashMap<>();

    /** The sequence of the producer's next batch for {@code partition}, consumed. */
    int take(long producerId, TopicPartition partition) {
        Key key = new Key(producerId, partition);
        int sequence = next.getOrDefault(key, 0);
        // Overflows like the broker's own "last + 1", so the two agree even after 2^31 batches.
        next.put(key, sequence + 1);
        return sequence;
    }

    /** The broker appended the batch with {@code sequence}: a rewind goes on after it. */
    void appended(long producerId, TopicPartition partition, int sequence) {
        // Compared by difference, which survives the overflow.
        rewindTo.computeIfPresent(new Key(producerId, partition), (key, to) -> sequence + 1 - to > 0 ? sequence + 1 : to);
    }

    /** The broker refused the batch with {@code sequence}, appending nothing: the partition is rewinding. */
    void refused(long producerId, TopicPartition partition, int sequence) {
        // Already rewinding: to an earlier sequence, or just after a batch appended since.
        rewindTo.putIfAbsent(new Key(producerId, partition), sequence);
    }

    /** Whether a batch of the partition was refused and its sequence is not rewound yet. */
    boolean rewinding(long producerId, TopicPartition partition) {
        return rewindTo.containsKey(new Key(producerId, partition));
    }

    /**
     * Once every batch of the partition sent so far is answered: its next sequence becomes the one after the
     * last batch the broker appended (the first refused one, if none was appended since).
     */
    void rewind(long producerId, TopicPartition partition) {
        Key key = new Key(producerId, partition);
        Integer to = rewindTo.remove(key);
        if (to != null) {
            next.put(key, to);
        }
    }

    /** Forgets a producer id that was given up. */
    void forget(long producerId) {
        next.keySet().removeIf(key -> key.producerId() == producerId);
        rewindTo.keySet().removeIf(key -> key.producerId() == producerId);
    }

    private record Key(long producerId, TopicPartition partition) {
    }
}
