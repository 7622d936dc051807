package io.sluice.server.queue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.codec.CorruptBatchException;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.error.SluiceException;
import java.util.List;

/** Decodes stored batches into records with their offsets: queue mode hands out records one by one. */
final class StoredRecords {
    /** A record of a stored batch with its offset and the batch's append time. */
    interface Visitor {
        /** @return false to stop */
        boolean visit(long offset, Record record, long appendTimeMs);
    }

    private StoredRecords() {
    }

    /** The batch's records, decompressed and decoded. */
    static List<Record> decode(RecordBatch batch, String where) {
        try {
            return RecordSet.parseFrom(BatchCodec.decompress(batch.getCompression(), batch.getRecords())).getRecordsList();
        } catch (InvalidProtocolBufferException | CorruptBatchException e) {
            throw new SluiceException(ErrorCode.INTERNAL_ERROR, "corrupt batch at offset " + batch.getBaseOffset()
                    + " of " + where, e);
        }
    }

    /** Visits the batch's records at or after {@code from}, in offset order, until the visitor says stop; false if it did. */
    static boolean forEach(RecordBatch batch, long from, String where, Visitor visitor) {
        return forEach(batch, decode(batch, where), from, visitor);
    }

    /** The same, with the batch's records decoded already. */
    static boolean forEach(RecordBatch batch, List<Record> records, long from, Visitor visitor) {
        for (int i = 0; i < records.size(); i++) {
            // A compacted batch has gaps: offset_deltas give each record's offset.
            long offset = batch.getBaseOffset() + (batch.getOffsetDeltasCount() == 0 ? i : batch.getOffsetDeltas(i));
            if (offset >= from && !visitor.visit(offset, records.get(i), batch.getAppendTimeMs())) {
                return false;
            }
        }
        return true;
    }
}
