package io.sluice.client;

import java.time.Instant;
import java.util.List;

/** A record as read from the broker. */
public record ReceivedRecord<K, V>(String topic, int partition, long offset, K key, V value, List<Header> headers,
                                   long timestampMs) {
    public Instant timestamp() {
        return Instant.ofEpochMilli(timestampMs);
    }

    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }
}
