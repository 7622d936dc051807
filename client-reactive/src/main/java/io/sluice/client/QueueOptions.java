package io.sluice.client;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Settings of a queue worker, immutable: each setter returns a copy.
 *
 * <p>The queue settings ({@link #lockTimeout}, {@link #maxDeliveryAttempts}, {@link #backoff}, {@link #ordering},
 * {@link #deadLetterTopic}, {@link #config}) apply when this worker's subscription creates the queue, together
 * with {@link #start}. A worker joining an existing queue must give no setting that differs from the queue's
 * (it fails with {@link InvalidConfigException}); give none to take the queue as it is.
 *
 * @param queue           the queue's name (required)
 * @param topic           the topic the queue reads (required)
 * @param start           where a new queue starts in every partition (default: the end of the log)
 * @param config          queue settings by broker name (see docs/configuration.md, "Queue settings")
 * @param prefetchRecords most records granted to the broker and not yet passed to the subscriber; they are
 *                        locked to this worker meanwhile, so keep it small
 * @param prefetchBytes   most record bytes granted and not yet passed on (one record may exceed it)
 */
public record QueueOptions<K, V>(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer, String queue,
                                 String topic, StartPosition start, Map<String, String> config, int prefetchRecords,
                                 long prefetchBytes) {
    /** How a queue hands out records with the same key. */
    public enum Ordering {
        /** In parallel: any record to any worker. */
        NONE,
        /** One at a time per key (and partition), in offset order; different keys in parallel. */
        KEY
    }

    public QueueOptions {
        Objects.requireNonNull(keyDeserializer, "keyDeserializer");
        Objects.requireNonNull(valueDeserializer, "valueDeserializer");
        Objects.requireNonNull(start, "start");
        config = java.util.Collections.unmodifiableMap(new TreeMap<>(config));
        if (prefetchRecords < 1 || prefetchBytes < 1) {
            throw new IllegalArgumentException("prefetchRecords and prefetchBytes must be >= 1");
        }
    }

    public static <K, V> QueueOptions<K, V> of(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new QueueOptions<>(keyDeserializer, valueDeserializer, null, null, StartPosition.latest(), Map.of(), 16, 4 << 20);
    }

    public static QueueOptions<String, String> strings() {
        return of(Deserializers.string(), Deserializers.string());
    }

    public static QueueOptions<byte[], byte[]> bytes() {
        return of(Deserializers.bytes(), Deserializers.bytes());
    }

    /** The queue to work for, and the topic it reads. */
    public QueueOptions<K, V> queue(String queue, String topic) {
        return new QueueOptions<>(keyDeserializer, valueDeserializer, Objects.requireNonNull(queue, "queue"),
                Objects.requireNonNull(topic, "topic"), start, config, prefetchRecords, prefetchBytes);
    }

    /** Where the queue starts in every partition, if this worker creates it. */
    public QueueOptions<K, V> start(StartPosition start) {
        return new QueueOptions<>(keyDeserializer, valueDeserializer, queue, topic, start, config, prefetchRecords, prefetchBytes);
    }

    public QueueOptions<K, V> prefetch(int records, long bytes) {
        return new QueueOptions<>(keyDeserializer, valueDeserializer, queue, topic, start, config, records, bytes);
    }

    /** A queue setting by its broker name, e.g. {@code config("window.records", "1000")}. */
    public QueueOptions<K, V> config(String key, String value) {
        Map<String, String> next = new TreeMap<>(config);
        next.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new QueueOptions<>(keyDeserializer, valueDeserializer, queue, topic, start, next, prefetchRecords, prefetchBytes);
    }

    /** How long a delivered record stays locked to its worker without an outcome (default 30 s). */
    public QueueOptions<K, V> lockTimeout(Duration timeout) {
        return config("lock.timeout.ms", String.valueOf(timeout.toMillis()));
    }

    /** Deliveries that did not end in an ack before a record goes to the dead-letter topic (default 5). */
    public QueueOptions<K, V> maxDeliveryAttempts(int attempts) {
        return config("max.delivery.attempts", String.valueOf(attempts));
    }

    /** The delay after a nack without a delay: initial * multiplier^(deliveries - 1), at most max (default 1 s, 60 s, 2). */
    public QueueOptions<K, V> backoff(Duration initial, Duration max, double multiplier) {
        return config("backoff.initial.ms", String.valueOf(initial.toMillis()))
                .config("backoff.max.ms", String.valueOf(max.toMillis()))
                .config("backoff.multiplier", String.valueOf(multiplier));
    }

    public QueueOptions<K, V> ordering(Ordering ordering) {
        return config("ordering", ordering.name().toLowerCase(Locale.ROOT));
    }

    /** The dead-letter topic (default: the topic's name followed by {@code .dlq}). */
    public QueueOptions<K, V> deadLetterTopic(String topic) {
        return config("dlq.topic", topic);
    }
}
