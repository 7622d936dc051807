package io.sluice.server.produce;

import io.sluice.server.storage.StorageStats;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * Samples storage's stall indicators on a storage scheduler (they take RocksDB's mutex) and keeps the latest
 * pressure for the produce path, which reads it without touching storage.
 */
public final class StoragePressureMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoragePressureMonitor.class);

    private final Disposable sampling;
    private volatile StoragePressure current = StoragePressure.none();

    public StoragePressureMonitor(Supplier<StorageStats> stats, Duration interval, Scheduler scheduler) {
        this.sampling = Flux.interval(interval, scheduler)
                .onBackpressureDrop()
                .subscribe(tick -> sample(stats));
    }

    private void sample(Supplier<StorageStats> stats) {
        try {
            StoragePressure next = StoragePressure.from(stats.get());
            if (next.present() != current.present()) {
                log.info(next.present() ? "storage pressure: {}; producers get less credit" : "storage pressure over{}",
                        next.message());
            }
            current = next;
        } catch (RuntimeException e) {
            log.warn("cannot sample storage pressure: {}", e.getMessage());
        }
    }

    public StoragePressure current() {
        return current;
    }

    @Override
    public void close() {
        sampling.dispose();
    }
}
