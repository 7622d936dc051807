package io.sluice.client;

/** A batch dropped because credit was exhausted ({@link CreditExhausted#DROP}), and why the broker throttled. */
public record DroppedBatch(String topic, int partition, int recordCount, String reason) {
}
