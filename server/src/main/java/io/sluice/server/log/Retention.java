package io.sluice.server.log;

import io.sluice.server.config.TopicConfig;
import java.util.function.Predicate;

/**
 * Which batches at the head of a log retention deletes, judged one batch at a time in offset order: a batch
 * goes if it was appended more than {@code retention.ms} ago, or while the log holds more than
 * {@code retention.bytes}. Deletion stops at the first batch that stays, so the log stays contiguous.
 * Append time is the broker's clock, so a producer's clock cannot keep data forever or delete it early.
 * One instance per pass over one partition: it counts what it accepted.
 */
final class Retention implements Predicate<LocalPartitionLog.BatchInfo> {
    private final long expiredBeforeMs;
    private final long retentionBytes;
    private long remainingBytes;
    private long freedBytes;

    Retention(TopicConfig config, long nowMs, long storedBytes) {
        this.expiredBeforeMs = config.retentionMs() < 0 ? Long.MIN_VALUE : nowMs - config.retentionMs();
        this.retentionBytes = config.retentionBytes();
        this.remainingBytes = storedBytes;
    }

    @Override
    public boolean test(LocalPartitionLog.BatchInfo batch) {
        boolean expired = batch.appendTimeMs() < expiredBeforeMs;
        boolean overSize = retentionBytes >= 0 && remainingBytes > retentionBytes;
        if (!expired && !overSize) {
            return false;
        }
        remainingBytes -= batch.sizeBytes();
        freedBytes += batch.sizeBytes();
        return true;
    }

    /** Bytes of the batches accepted so far. */
    long freedBytes() {
        return freedBytes;
    }
}
