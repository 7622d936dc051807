package io.sluice.server.log;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's background log maintenance: every interval, one pass over every partition applies retention
 * (deletes whole batches from the head, then gives their disk space back) or, with cleanup.policy=compact,
 * compaction ({@link Compactor}). It runs on a thread of its own,
 * owned by the broker: its reads and RocksDB compactions block, and never on a gRPC or read thread.
 * Deletions themselves go through the log writer, ordered with appends.
 */
public final class LogCleaner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogCleaner.class);

    private final LogManager logs;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private volatile boolean closed;

    public LogCleaner(LogManager logs, Clock clock, Duration interval) {
        this.logs = logs;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "sluice-log-cleaner");
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.toMillis();
        executor.scheduleWithFixedDelay(this::runOnce, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** One pass over every partition. Failures are logged per partition and retried on the next pass. */
    private void runOnce() {
        for (Topic topic : logs.topics()) {
            for (PartitionLog partition : topic.partitions()) {
                if (closed) {
                    return;
                }
                try {
                    if (topic.config().compact()) {
                        compact(topic, (LocalPartitionLog) partition);
                    } else {
                        applyRetention(topic, (LocalPartitionLog) partition);
                    }
                } catch (RuntimeException e) {
                    if (!closed) {
                        log.warn("cleaning {} failed; retrying on the next pass", partition.id(), e);
                    }
                }
            }
        }
    }

    private void applyRetention(Topic topic, LocalPartitionLog partition) {
        if (partition.deleted()) {
            return;
        }
        Retention retention = new Retention(topic.config(), clock.millis(), partition.storedBytes());
        long from = partition.startOffset();
        long newStart = partition.scanHead(retention);
        if (newStart <= from) {
            return;
        }
        try {
            partition.deleteBefore(newStart, retention.freedBytes()).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        partition.reclaim();
        log.info("retention deleted offsets {}..{} of {} ({} bytes)", from, newStart - 1, partition.id(),
                retention.freedBytes());
    }

    private void compact(Topic topic, LocalPartitionLog partition) {
        if (partition.deleted()) {
            return;
        }
        long removed = Compactor.compact(partition, topic.config(), clock.millis());
        if (removed > 0) {
            log.info("compaction removed {} superseded records from {}", removed, partition.id());
        }
    }

    /** Stops the passes and waits for a running one to end (its compaction is cancelled by the store). */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("the log cleaner did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
