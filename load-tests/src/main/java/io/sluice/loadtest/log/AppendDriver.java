package io.sluice.loadtest.log;

import io.sluice.server.log.AppendBatch;
import io.sluice.server.log.PartitionLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Appends one batch round-robin over the partitions from a single thread, keeping up to {@code maxInFlight}
 * appends outstanding: the group-commit writer only batches what is queued while it writes.
 */
final class AppendDriver {
    private static final long DRAIN_TIMEOUT_SECONDS = 120;

    private final List<PartitionLog> partitions;
    private final AppendBatch batch;
    private final int maxInFlight;

    AppendDriver(List<PartitionLog> partitions, AppendBatch batch, int maxInFlight) {
        this.partitions = partitions;
        this.batch = batch;
        this.maxInFlight = maxInFlight;
    }

    /** Appends until {@code duration} passes or {@code maxRecords} are sent, then waits for every ack. */
    AppendStats run(Duration duration, long maxRecords) throws InterruptedException {
        Semaphore permits = new Semaphore(maxInFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Histogram latencyMicros = new ConcurrentHistogram(3);
        long cpuStart = ProcessCpu.nanos();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        long records = 0;
        for (int next = 0; records < maxRecords && System.nanoTime() < deadline && failure.get() == null;
                next = (next + 1) % partitions.size()) {
            permits.acquire();
            long sentAt = System.nanoTime();
            // Callbacks run on the writer thread: keep them to a histogram update and a release.
            partitions.get(next).append(batch).subscribe(
                    done -> {
                        latencyMicros.recordValue((System.nanoTime() - sentAt) / 1_000);
                        permits.release();
                    },
                    error -> {
                        failure.compareAndSet(null, error);
                        permits.release();
                    });
            records += batch.recordCount();
        }
        if (!permits.tryAcquire(maxInFlight, DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("appends not acknowledged within " + DRAIN_TIMEOUT_SECONDS + " s");
        }
        long nanos = System.nanoTime() - start;
        long cpu = ProcessCpu.nanos() - cpuStart;
        if (failure.get() != null) {
            throw new IllegalStateException("an append failed", failure.get());
        }
        long bytes = records / batch.recordCount() * (long) batch.records().size();
        return new AppendStats(new Throughput(records, bytes, nanos, cpu), latencyMicros);
    }

    /** Throughput of acknowledged appends, and each append's time from call to ack. */
    record AppendStats(Throughput throughput, Histogram latencyMicros) {
    }
}
