package io.sluice.server.log;

import com.google.protobuf.ByteString;
import io.sluice.proto.v1.Compression;

/**
 * A validated batch ready to append: the encoded records exactly as they will be stored.
 *
 * @param records      a serialized RecordSet, compressed with {@code compression}
 * @param recordCount  how many records it holds (at least one)
 * @param maxTimestampMs the largest record timestamp in it
 * @param fsync        whether the append must be synced to disk before it is acknowledged
 * @param producer     the idempotent producer's id and sequence for this partition, or null
 */
public record AppendBatch(ByteString records, int recordCount, Compression compression, long maxTimestampMs,
                          boolean fsync, ProducerSequence producer) {

    /** A batch from a producer that is not idempotent. */
    public AppendBatch(ByteString records, int recordCount, Compression compression, long maxTimestampMs, boolean fsync) {
        this(records, recordCount, compression, maxTimestampMs, fsync, null);
    }

    /** An idempotent producer's batch number {@code sequence} for the partition. */
    public record ProducerSequence(long producerId, int sequence) {
    }
}
