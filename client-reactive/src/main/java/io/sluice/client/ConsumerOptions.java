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
 * @param offsetReset    what happens when the start offset, or the position reached, is no longer in the log
 *                       (retention deleted it) or lies beyond its end: fail (NONE, the default) or move on
 */
public record ConsumerOptions<K, V>(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer,
                                    Map<String, List<Integer>> subscriptions, StartPosition start,
                                    int prefetchRecords, long prefetchBytes, OffsetReset offsetReset) {
    public ConsumerOptions {
        Objects.requireNonNull(keyDeserializer, "keyDeserializer");
        Objects.requireNonNull(valueDeserializer, "valueDeserializer");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(offsetReset, "offsetReset");
        subscriptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(subscriptions));
        if (prefetchRecords < 1 || prefetchBytes < 1) {
            throw new IllegalArgumentException("prefetchRecords and prefetchBytes must be >= 1");
        }
    }

    public static <K, V> ConsumerOptions<K, V> of(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, Map.of(), StartPosition.latest(), 512, 4 << 20,
                OffsetReset.NONE);
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
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, prefetchRecords, prefetchBytes, offsetReset);
    }

    public ConsumerOptions<K, V> prefetch(int records, long bytes) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, records, bytes, offsetReset);
    }

    /** What to do when the position is outside the log: fail (NONE) or restart at its start or end. */
    public ConsumerOptions<K, V> offsetReset(OffsetReset offsetReset) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, prefetchRecords, prefetchBytes,
                offsetReset);
    }

    /** Where a consumer goes when its offset is no longer (or not yet) in the log. */
    public enum OffsetReset {
        /** Fail with {@link OffsetOutOfRangeException}. */
        NONE(io.sluice.proto.v1.OffsetReset.OFFSET_RESET_NONE),
        /** Continue from the first offset still in the log. */
        EARLIEST(io.sluice.proto.v1.OffsetReset.OFFSET_RESET_EARLIEST),
        /** Continue from the end of the log. */
        LATEST(io.sluice.proto.v1.OffsetReset.OFFSET_RESET_LATEST);

        final io.sluice.proto.v1.OffsetReset proto;

        OffsetReset(io.sluice.proto.v1.OffsetReset proto) {
            this.proto = proto;
        }
    }

    private ConsumerOptions<K, V> withSubscriptions(Map<String, List<Integer>> subscriptions) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, prefetchRecords, prefetchBytes, offsetReset);
    }
}
