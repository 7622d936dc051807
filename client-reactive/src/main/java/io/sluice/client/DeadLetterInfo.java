package io.sluice.client;

import java.time.Instant;
import java.util.List;

/**
 * A dead letter: a record a queue gave up on, as stored in its dead-letter topic, with where it came from
 * and why (from its {@code sluice.dlq.*} headers, which {@link #headers()} includes).
 *
 * @param key   the record key, or null for none
 * @param value the record value, or null
 */
public record DeadLetterInfo(String topic, int partition, long offset, byte[] key, byte[] value, List<Header> headers,
                             long timestampMs, String originalTopic, int originalPartition, long originalOffset,
                             String queue, int deliveryCount, String reason, Instant deadLetteredAt) {
    public DeadLetterInfo {
        headers = List.copyOf(headers);
    }

    static DeadLetterInfo from(io.sluice.proto.v1.DeadLetter d) {
        var record = d.getRecord();
        return new DeadLetterInfo(d.getTopic(), d.getPartition(), d.getOffset(),
                record.hasKey() ? record.getKey().toByteArray() : null,
                record.hasValue() ? record.getValue().toByteArray() : null,
                record.getHeadersList().stream().map(h -> new Header(h.getKey(), h.getValue().toByteArray())).toList(),
                record.getTimestampMs(), d.getOriginalTopic(), d.getOriginalPartition(), d.getOriginalOffset(), d.getQueue(),
                d.getDeliveryCount(), d.getReason(), Instant.ofEpochMilli(d.getDeadLetteredMs()));
    }
}
