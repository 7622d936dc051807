package io.sluice.client;

import io.sluice.proto.Murmur2;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the partition of a record that names none. Implementations must be thread-safe.
 * {@link #kafkaDefault()}: keys hash as in Kafka, keyless records stick to one partition per batch.
 */
public interface Partitioner {
    /** The partition for a record; {@code key} is the serialized key, null for none. */
    int partition(String topic, byte[] key, int partitionCount);

    /** Told when a batch for the partition has been closed; lets sticky partitioners move on. */
    default void onBatchClosed(String topic, int partition) {
    }

    /** Kafka's murmur2 partition for keys; keyless records go to one partition until its batch closes. */
    static Partitioner kafkaDefault() {
        return new Sticky();
    }

    /** Kafka's murmur2 partition for keys; keyless records round-robin, one by one. */
    static Partitioner roundRobin() {
        return new RoundRobin();
    }

    /** Keyless records stick to one partition per batch: fuller batches than round-robin, still spread over time. */
    final class Sticky implements Partitioner {
        private final Map<String, AtomicInteger> current = new ConcurrentHashMap<>();

        @Override
        public int partition(String topic, byte[] key, int partitionCount) {
            if (key != null) {
                return Murmur2.partition(key, partitionCount);
            }
            AtomicInteger sticky = current.computeIfAbsent(topic, t -> new AtomicInteger(
                    java.util.concurrent.ThreadLocalRandom.current().nextInt(partitionCount)));
            int chosen = sticky.get();
            if (chosen >= partitionCount) {
                int wrapped = Math.floorMod(chosen, partitionCount);
                sticky.compareAndSet(chosen, wrapped);
                return wrapped;
            }
            return chosen;
        }

        @Override
        public void onBatchClosed(String topic, int partition) {
            AtomicInteger sticky = current.get(topic);
            if (sticky != null) {
                // Only the close of the sticky partition's own batch moves it on (keyed batches do not).
                sticky.compareAndSet(partition, partition + 1);
            }
        }
    }

    final class RoundRobin implements Partitioner {
        private final Map<String, AtomicInteger> next = new ConcurrentHashMap<>();

        @Override
        public int partition(String topic, byte[] key, int partitionCount) {
            if (key != null) {
                return Murmur2.partition(key, partitionCount);
            }
            return Math.floorMod(next.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement(), partitionCount);
        }
    }
}
