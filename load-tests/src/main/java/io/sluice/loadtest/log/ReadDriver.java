package io.sluice.loadtest.log;

import io.sluice.proto.v1.RecordBatch;
import io.sluice.server.log.LogReadResult;
import io.sluice.server.log.PartitionLog;
import java.time.Duration;
import java.util.List;

/** Reads every partition from its first offset to its high watermark, one partition after another, on one thread. */
final class ReadDriver {
    private final List<PartitionLog> partitions;
    private final long bytesPerRead;

    ReadDriver(List<PartitionLog> partitions, long bytesPerRead) {
        this.partitions = partitions;
        this.bytesPerRead = bytesPerRead;
    }

    /** Reads everything, or stops at {@code limit}; {@link Result#complete()} says which. */
    Result readAll(Duration limit) {
        long cpuStart = ProcessCpu.nanos();
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        long records = 0;
        long bytes = 0;
        boolean complete = true;
        for (PartitionLog partition : partitions) {
            long offset = partition.startOffset();
            long end = partition.highWatermark();
            while (offset < end) {
                if (System.nanoTime() >= deadline) {
                    complete = false;
                    break;
                }
                LogReadResult read = partition.read(offset, bytesPerRead, Long.MAX_VALUE);
                if (read.batches().isEmpty()) {
                    throw new IllegalStateException(partition.id() + " returned nothing at " + offset + " < " + end);
                }
                for (RecordBatch batch : read.batches()) {
                    records += batch.getRecordCount();
                    bytes += batch.getRecords().size();
                }
                RecordBatch last = read.batches().get(read.batches().size() - 1);
                offset = last.getBaseOffset() + last.getRecordCount();
            }
        }
        long nanos = System.nanoTime() - start;
        return new Result(new Throughput(records, bytes, nanos, ProcessCpu.nanos() - cpuStart), complete);
    }

    record Result(Throughput throughput, boolean complete) {
    }
}
