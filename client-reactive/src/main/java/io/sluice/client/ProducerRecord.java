package io.sluice.client;

import java.util.List;
import java.util.Objects;

/**
 * A record to send. {@code partition} null lets the partitioner choose; {@code timestampMs} null stamps
 * the send time. {@code correlation} is any value of the caller's, returned with the record's
 * {@link SendResult} (like reactor-kafka's SenderRecord).
 */
public record ProducerRecord<K, V, T>(String topic, Integer partition, K key, V value, List<Header> headers,
                                      Long timestampMs, T correlation) {
    public ProducerRecord {
        Objects.requireNonNull(topic, "topic");
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    public static <K, V> ProducerRecord<K, V, Void> of(String topic, K key, V value) {
        return new ProducerRecord<>(topic, null, key, value, List.of(), null, null);
    }

    public <U> ProducerRecord<K, V, U> withCorrelation(U correlation) {
        return new ProducerRecord<>(topic, partition, key, value, headers, timestampMs, correlation);
    }

    public ProducerRecord<K, V, T> withPartition(Integer partition) {
        return new ProducerRecord<>(topic, partition, key, value, headers, timestampMs, correlation);
    }

    public ProducerRecord<K, V, T> withHeaders(List<Header> headers) {
        return new ProducerRecord<>(topic, partition, key, value, headers, timestampMs, correlation);
    }

    public ProducerRecord<K, V, T> withTimestamp(long timestampMs) {
        return new ProducerRecord<>(topic, partition, key, value, headers, timestampMs, correlation);
    }
}
