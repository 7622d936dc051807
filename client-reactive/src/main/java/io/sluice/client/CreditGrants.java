package io.sluice.client;

import io.sluice.proto.v1.Credit;

/**
 * A consume session's credit bookkeeping: the subscriber's demand and what the broker may still send. Grants keep
 * {@code buffered + outstanding} at most {@code min(demand, prefetchRecords)} records and at most prefetchBytes
 * bytes, so a slow subscriber holds memory flat. Not thread-safe: its session's worker owns it.
 */
final class CreditGrants {
    private final long prefetchRecords;
    private final long prefetchBytes;
    /** Whether small top-ups wait until a quarter of either is missing (fewer, larger grants). */
    private final boolean batchTopUps;
    private long demand;
    private long outstandingRecords;
    private long outstandingBytes;

    CreditGrants(long prefetchRecords, long prefetchBytes, boolean batchTopUps) {
        this.prefetchRecords = prefetchRecords;
        this.prefetchBytes = prefetchBytes;
        this.batchTopUps = batchTopUps;
    }

    /** The subscriber requested n more (saturating at Long.MAX_VALUE, Reactor's "unbounded"). */
    void request(long n) {
        long sum = demand + n;
        demand = sum < 0 ? Long.MAX_VALUE : sum;
    }

    boolean demanded() {
        return demand > 0;
    }

    /** One record went to the subscriber. */
    void delivered() {
        demand--;
    }

    /** A new stream starts: the broker holds no credit of this session. */
    void reset() {
        outstandingRecords = 0;
        outstandingBytes = 0;
    }

    /** The broker sent these, using up as much of its credit. */
    void received(long records, long bytes) {
        outstandingRecords = Math.max(0, outstandingRecords - records);
        outstandingBytes = Math.max(0, outstandingBytes - bytes);
    }

    /** The credit to grant now, counted as outstanding, or null when none is due. */
    Credit next(long bufferedRecords, long bufferedBytes) {
        long target = Math.min(demand, prefetchRecords);
        long records = target - bufferedRecords - outstandingRecords;
        long bytes = prefetchBytes - bufferedBytes - outstandingBytes;
        if (bytes <= 0) {
            return null;
        }
        if (records <= 0) {
            // The broker holds record credit but no byte credit (a large record used it up): a grant must
            // name at least one record, so this one record of slack is the only way to hand over bytes.
            if (outstandingBytes > 0 || outstandingRecords == 0) {
                return null;
            }
            records = 1;
        } else if (batchTopUps && records < Math.max(1, target / 4) && outstandingRecords > 0
                && outstandingBytes >= prefetchBytes / 4) {
            return null; // the broker still has plenty of both: top up later, in fewer, larger grants
        }
        outstandingRecords += records;
        outstandingBytes += bytes;
        return Credit.newBuilder().setRecords(records).setBytes(bytes).build();
    }
}
