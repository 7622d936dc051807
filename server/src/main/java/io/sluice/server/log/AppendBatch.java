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
 */
public record AppendBatch(ByteString records, int recordCount, Compression compression, long maxTimestampMs,
                          boolean fsync) {
}
