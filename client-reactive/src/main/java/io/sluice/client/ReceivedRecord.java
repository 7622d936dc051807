package io.sluice.client;

import io.sluice.proto.v1.Record;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A record as read from the broker. In a consumer group, {@link #ack()} marks it processed; equality ignores
 * that mark.
 */
public final class ReceivedRecord<K, V> {
    private final String topic;
    private final int partition;
    private final long offset;
    private final K key;
    private final V value;
    private final List<Header> headers;
    private final long timestampMs;
    /** Null without a group: nothing to acknowledge. */
    private final PartitionAcks.Mark mark;

    public ReceivedRecord(String topic, int partition, long offset, K key, V value, List<Header> headers, long timestampMs) {
        this(topic, partition, offset, key, value, headers, timestampMs, null);
    }

    ReceivedRecord(String topic, int partition, long offset, K key, V value, List<Header> headers, long timestampMs,
                   PartitionAcks.Mark mark) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.key = key;
        this.value = value;
        this.headers = headers;
        this.timestampMs = timestampMs;
        this.mark = mark;
    }

    /** Deserializes a record the broker sent (a queue's too: {@link QueueRecord} holds one as its core). */
    static <K, V> ReceivedRecord<K, V> decode(String topic, int partition, long offset, Record record, Deserializer<K> keys,
                                              Deserializer<V> values, PartitionAcks.Mark mark) {
        K key = keys.deserialize(topic, record.hasKey() ? record.getKey().toByteArray() : null);
        V value = values.deserialize(topic, record.hasValue() ? record.getValue().toByteArray() : null);
        List<Header> headers = record.getHeadersList().stream().map(h -> new Header(h.getKey(), h.getValue().toByteArray())).toList();
        return new ReceivedRecord<>(topic, partition, offset, key, value, headers, record.getTimestampMs(), mark);
    }

    /**
     * Marks the record processed, from any thread; cheap (one volatile write). In a consumer group, a
     * partition's committed offset moves past a record only once it and every record before it are
     * acknowledged, so a record never acknowledged is delivered again after a rebalance or a restart
     * (at-least-once). Without a group it does nothing; so does acknowledging a record of a partition this
     * member has lost since.
     */
    public void ack() {
        if (mark != null) {
            mark.ack();
        }
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public K key() {
        return key;
    }

    public V value() {
        return value;
    }

    public List<Header> headers() {
        return headers;
    }

    public long timestampMs() {
        return timestampMs;
    }

    public Instant timestamp() {
        return Instant.ofEpochMilli(timestampMs);
    }

    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReceivedRecord<?, ?> r && partition == r.partition && offset == r.offset
                && timestampMs == r.timestampMs && Objects.equals(topic, r.topic) && Objects.equals(key, r.key)
                && Objects.equals(value, r.value) && Objects.equals(headers, r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset, key, value, headers, timestampMs);
    }

    @Override
    public String toString() {
        return "ReceivedRecord[topic=" + topic + ", partition=" + partition + ", offset=" + offset + ", key=" + key
                + ", value=" + value + ", headers=" + headers + ", timestampMs=" + timestampMs + "]";
    }
}
