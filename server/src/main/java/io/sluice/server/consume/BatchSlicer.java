package io.sluice.server.consume;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.v1.Compression;
import io.sluice.proto.v1.RecordBatch;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Cuts a stored batch down to what a consumer may receive: from an offset inside it, and within its
 * record and byte credit. An uncompressed RecordSet is a run of length-prefixed records, so a
 * sub-range of records is a sub-range of bytes: slicing is a scan of lengths and a zero-copy view,
 * never a re-encode.
 *
 * <p>Credit is in stored (possibly compressed) bytes, as the consumer receives them.
 */
final class BatchSlicer {
    private BatchSlicer() {
    }

    /**
     * @param batch     a stored batch with its base offset set
     * @param from      first offset to deliver; within the batch
     * @param maxRecords at least 1
     * @param maxBytes  at least 1
     * @param overshoot whether the first record (or a compressed batch) may be delivered although it is
     *                  larger than maxBytes
     * @return the slice, or null if nothing fits and overshoot is not allowed
     */
    static RecordBatch slice(RecordBatch batch, long from, long maxRecords, long maxBytes, boolean overshoot) {
        int skip = (int) (from - batch.getBaseOffset());
        int count = batch.getRecordCount();
        ByteString records = batch.getRecords();
        if (skip == 0 && count <= maxRecords && records.size() <= maxBytes) {
            return batch;
        }
        if (batch.getOffsetDeltasCount() > 0) {
            // A compacted batch has gaps between its records' offsets: it travels whole, and the reader skips
            // the records below its position (RecordBatch.offset_deltas).
            return records.size() <= maxBytes || overshoot ? batch : null;
        }
        if (batch.getCompression() != Compression.COMPRESSION_NONE) {
            // A compressed batch travels as stored; one that must be cut (rare: a start inside it, or credit
            // smaller than it) is cut from its decompressed records and sent uncompressed.
            RecordBatch plain = batch.toBuilder()
                    .setCompression(Compression.COMPRESSION_NONE)
                    .setRecords(BatchCodec.decompress(batch.getCompression(), records))
                    .build();
            return slice(plain, from, maxRecords, maxBytes, overshoot);
        }
        try {
            CodedInputStream in = records.newCodedInput();
            int start = 0;
            for (int i = 0; i < skip; i++) {
                in.readTag();
                in.skipRawBytes(in.readRawVarint32());
            }
            start = in.getTotalBytesRead();
            int end = start;
            int taken = 0;
            while (taken < maxRecords && taken < count - skip) {
                in.readTag();
                int size = in.readRawVarint32();
                in.skipRawBytes(size);
                int next = in.getTotalBytesRead();
                if (next - start > maxBytes && (taken > 0 || !overshoot)) {
                    break;
                }
                end = next;
                taken++;
            }
            if (taken == 0) {
                return null;
            }
            return batch.toBuilder()
                    .setBaseOffset(from)
                    .setRecordCount(taken)
                    .setRecords(records.substring(start, end))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt batch at offset " + batch.getBaseOffset(), e);
        }
    }
}
