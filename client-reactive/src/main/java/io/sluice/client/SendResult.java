package io.sluice.client;

/**
 * Where a record was stored, with the correlation value of its {@link ProducerRecord}. With
 * {@link Acks#NONE} the offset is unknown: -1.
 */
public record SendResult<T>(String topic, int partition, long offset, long timestampMs, T correlation) {
}
