package io.sluice.server.produce;

/**
 * What a scan of an encoded RecordSet found.
 *
 * @param recordCount     number of records
 * @param maxTimestampMs  largest record timestamp
 * @param largestRecord   size in bytes of the largest serialized record
 * @param firstKey        the first record's key, or null if no record has a key
 * @param keyedPartition  the partition every keyed record hashes to, or -1 if none has a key;
 *                        -2 if keyed records hash to different partitions
 */
public record RecordSetScan(int recordCount, long maxTimestampMs, int largestRecord, byte[] firstKey,
                            int keyedPartition) {
    public static final int NO_KEY = -1;
    public static final int MIXED = -2;
}
