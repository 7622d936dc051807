package io.sluice.loadtest.log;

import com.google.protobuf.ByteString;
import io.sluice.proto.v1.Compression;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.log.AppendBatch;
import java.util.Random;

/**
 * One batch built and encoded once, then appended over and over, so the benchmark measures the log and
 * not record building. Records are keyless with a 100-byte value, like Kafka's perf producer sends.
 */
final class SampleBatch {
    static final int VALUE_BYTES = 100;

    private SampleBatch() {
    }

    static AppendBatch create(int recordCount, boolean fsync) {
        Random random = new Random(42);
        long timestamp = System.currentTimeMillis();
        RecordSet.Builder set = RecordSet.newBuilder();
        for (int i = 0; i < recordCount; i++) {
            byte[] value = new byte[VALUE_BYTES];
            random.nextBytes(value); // incompressible, though the log column family does not compress anyway
            set.addRecords(Record.newBuilder().setValue(ByteString.copyFrom(value)).setTimestampMs(timestamp));
        }
        ByteString records = set.build().toByteString();
        return new AppendBatch(records, recordCount, Compression.COMPRESSION_NONE, timestamp, fsync);
    }
}
