package io.sluice.server.log;

/**
 * What a partition's backlog is: the records not yet consumed by the slowest consumer group that committed
 * an offset for the partition, or, when no group did, every record still in the log. Bytes are estimated
 * from the partition's stored bytes and record count (even record sizes assumed). The one place this is
 * defined: the consumer-groups work changes only this class. Cheap and non-blocking.
 */
public final class Backlog {
    private final CommittedOffsets offsets;

    public Backlog(CommittedOffsets offsets) {
        this.offsets = offsets;
    }

    /** The partition's backlog now. */
    public Level of(PartitionLog log) {
        long end = log.highWatermark();
        long start = log.startOffset();
        long from = Math.min(end, Math.max(start, offsets.slowest(log.id()).orElse(start)));
        long records = end - from;
        long logRecords = end - start;
        long stored = log.storedBytes();
        long bytes = records == logRecords ? stored : (long) ((double) stored * records / logRecords);
        return new Level(records, bytes);
    }

    /** A backlog size. */
    public record Level(long records, long bytes) {
    }
}
