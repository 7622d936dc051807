package io.sluice.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Consumer settings, immutable: each setter returns a copy.
 *
 * @param subscriptions  topic -> partitions to read (an empty list means all of the topic's partitions)
 * @param prefetchRecords most records granted to the broker and not yet passed to the subscriber
 * @param prefetchBytes  most record bytes granted and not yet passed on (one record may exceed it)
 */
public record ConsumerOptions<K, V>(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer,
                                    Map<String, List<Integer>> subscriptions, StartPosition start,
                                    int prefetchRecords, long prefetchBytes) {
    public ConsumerOptions {
        Objects.requireNonNull(keyDeserializer, "keyDeserializer");
        Objects.requireNonNull(valueDeserializer, "valueDeserializer");
        Objects.requireNonNull(start, "start");
        subscriptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(subscriptions));
        if (prefetchRecords < 1 || prefetchBytes < 1) {
            throw new IllegalArgumentException("prefetchRecords and prefetchBytes must be >= 1");
        }
    }

    public static <K, V> ConsumerOptions<K, V> of(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, Map.of(), StartPosition.latest(), 512, 4 << 20);
    }

    public static ConsumerOptions<String, String> strings() {
        return of(Deserializers.string(), Deserializers.string());
    }

    public static ConsumerOptions<byte[], byte[]> bytes() {
        return of(Deserializers.bytes(), Deserializers.bytes());
    }

    /** Adds topics, all partitions of each. */
    public ConsumerOptions<K, V> topics(String... topics) {
        Map<String, List<Integer>> next = new LinkedHashMap<>(subscriptions);
        for (String topic : topics) {
            next.put(topic, List.of());
        }
        return withSubscriptions(next);
    }

    /** Adds some partitions of a topic. */
    public ConsumerOptions<K, V> partitions(String topic, Integer... partitions) {
        Map<String, List<Integer>> next = new LinkedHashMap<>(subscriptions);
        next.put(topic, List.of(partitions));
        return withSubscriptions(next);
    }

    public ConsumerOptions<K, V> start(StartPosition start) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, prefetchRecords, prefetchBytes);
    }

    public ConsumerOptions<K, V> prefetch(int records, long bytes) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, records, bytes);
    }

    private ConsumerOptions<K, V> withSubscriptions(Map<String, List<Integer>> subscriptions) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, prefetchRecords, prefetchBytes);
    }
}
