package io.sluice.client;

/**
 * A record {@link ReactiveQueue#process} finished with.
 *
 * @param outcome     how it was settled
 * @param error       why processing failed (the reason of a nack or reject); null when it succeeded
 * @param settleError why the outcome was not stored (e.g. {@link LockLostException}: the lock lapsed and the
 *                    record went to another worker); null when it was
 */
public record ProcessedRecord<K, V>(QueueRecord<K, V> record, Outcome outcome, Throwable error, Throwable settleError) {
    public enum Outcome {
        ACKED,
        NACKED,
        REJECTED
    }
}
