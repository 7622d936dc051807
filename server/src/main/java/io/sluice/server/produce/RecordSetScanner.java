package io.sluice.server.produce;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.sluice.proto.Murmur2;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.server.error.SluiceException;
import java.io.IOException;

/**
 * Walks a serialized RecordSet without building objects: counts records, checks each against the
 * size limit, finds the largest timestamp and the partition the keys hash to. Rejects bytes that are
 * not a well-formed RecordSet, so every stored batch decodes for every consumer.
 */
public final class RecordSetScanner {
    private static final int RECORDS_FIELD = 1;
    private static final int KEY_FIELD = 1;
    private static final int TIMESTAMP_FIELD = 4;

    private RecordSetScanner() {
    }

    /**
     * @param partitions the topic's partition count, for hashing keys; 0 skips hashing
     * @param maxRecordBytes records larger than this are rejected with RECORD_TOO_LARGE
     */
    public static RecordSetScan scan(ByteString recordSet, int partitions, int maxRecordBytes, String topic) {
        try {
            CodedInputStream in = recordSet.newCodedInput();
            int count = 0;
            long maxTimestamp = Long.MIN_VALUE;
            int largest = 0;
            byte[] firstKey = null;
            int keyedPartition = RecordSetScan.NO_KEY;
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (WireFormat.getTagFieldNumber(tag) != RECORDS_FIELD
                        || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    throw malformed("unexpected field " + WireFormat.getTagFieldNumber(tag) + " in a RecordSet");
                }
                int size = in.readRawVarint32();
                if (size > maxRecordBytes) {
                    throw new SluiceException(ErrorCode.RECORD_TOO_LARGE, "Record " + count + " is " + size
                            + " bytes, larger than max.message.bytes=" + maxRecordBytes + " of topic '" + topic + "'");
                }
                largest = Math.max(largest, size);
                int limit = in.pushLimit(size);
                long timestamp = 0;
                byte[] key = null;
                while (!in.isAtEnd()) {
                    int field = in.readTag();
                    int number = WireFormat.getTagFieldNumber(field);
                    if (number == KEY_FIELD && WireFormat.getTagWireType(field) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        key = in.readByteArray();
                    } else if (number == TIMESTAMP_FIELD && WireFormat.getTagWireType(field) == WireFormat.WIRETYPE_VARINT) {
                        timestamp = in.readInt64();
                    } else if (!in.skipField(field)) {
                        throw malformed("end-group tag inside record " + count);
                    }
                }
                in.popLimit(limit);
                if (key != null && partitions > 0) {
                    int p = Murmur2.partition(key, partitions);
                    if (firstKey == null) {
                        firstKey = key;
                        keyedPartition = p;
                    } else if (p != keyedPartition) {
                        keyedPartition = RecordSetScan.MIXED;
                    }
                }
                maxTimestamp = Math.max(maxTimestamp, timestamp);
                count++;
            }
            return new RecordSetScan(count, maxTimestamp, largest, firstKey, keyedPartition);
        } catch (IOException e) {
            throw malformed(e.getMessage());
        }
    }

    private static SluiceException malformed(String why) {
        return new SluiceException(ErrorCode.INVALID_BATCH, "Batch records are not a valid RecordSet: " + why);
    }
}
