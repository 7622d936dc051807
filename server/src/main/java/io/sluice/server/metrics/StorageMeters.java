package io.sluice.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.server.storage.RocksStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.rocksdb.TickerType;

/**
 * RocksDB's health as meters, read when scraped: write stalls, compaction debt, data sizes and the block
 * cache. Properties take RocksDB's mutex, so they are read at scrape time only, never on a hot path; a
 * closed store reads as NaN.
 */
final class StorageMeters {
    private StorageMeters() {
    }

    /** Registers the meters; returns them, for removal when the store closes. */
    static List<Meter> register(MeterRegistry meters, RocksStore store) {
        List<Meter> out = new ArrayList<>();
        out.add(gauge(meters, store, "sluice.storage.write.stopped", null,
                s -> s.property("rocksdb.is-write-stopped"),
                "1 while RocksDB stops writes until flushes or compactions catch up (a write stall), else 0"));
        out.add(gauge(meters, store, "sluice.storage.write.delayed.rate", "bytes",
                s -> s.property("rocksdb.actual-delayed-write-rate"),
                "Bytes/s RocksDB slows writes to while it delays them; 0 when writes are not delayed"));
        out.add(FunctionCounter.builder("sluice.storage.write.stall", store,
                        s -> nanIfClosed(s.ticker(TickerType.STALL_MICROS)) / 1e6)
                .baseUnit("seconds")
                .description("Time writes spent stalled or delayed by RocksDB, since start")
                .register(meters));
        out.add(gauge(meters, store, "sluice.storage.compaction.pending", "bytes",
                s -> s.aggregatedProperty("rocksdb.estimate-pending-compaction-bytes"),
                "Estimated bytes compaction must rewrite to settle; RocksDB delays, then stops, writes past its limits"));
        out.add(gauge(meters, store, "sluice.storage.compaction.running", null,
                s -> s.property("rocksdb.num-running-compactions"), "Compactions running now"));
        out.add(gauge(meters, store, "sluice.storage.sst.size", "bytes",
                s -> s.aggregatedProperty("rocksdb.total-sst-files-size"),
                "Bytes of all SST files, including those only kept for open readers"));
        out.add(gauge(meters, store, "sluice.storage.live.data.size", "bytes",
                s -> s.aggregatedProperty("rocksdb.estimate-live-data-size"),
                "Estimated bytes of live data (what compaction would leave)"));
        out.add(gauge(meters, store, "sluice.storage.memtable.size", "bytes",
                s -> s.aggregatedProperty("rocksdb.cur-size-all-mem-tables"),
                "Bytes of all memtables (storage.write.buffer.bytes bounds them)"));
        out.add(gauge(meters, store, "sluice.storage.block.cache.usage", "bytes",
                s -> s.property("rocksdb.block-cache-usage"), "Bytes in the block cache (storage.block.cache.bytes bounds it)"));
        out.add(FunctionCounter.builder("sluice.storage.block.cache.hits", store,
                        s -> nanIfClosed(s.ticker(TickerType.BLOCK_CACHE_HIT)))
                .description("Block reads served by the block cache").register(meters));
        out.add(FunctionCounter.builder("sluice.storage.block.cache.misses", store,
                        s -> nanIfClosed(s.ticker(TickerType.BLOCK_CACHE_MISS)))
                .description("Block reads that missed the block cache and went to disk").register(meters));
        out.add(Gauge.builder("sluice.storage.block.cache.hit.ratio", store, StorageMeters::hitRatio)
                .description("Block cache hits / (hits + misses) since start; NaN before any block read")
                .register(meters));
        return out;
    }

    private static Gauge gauge(MeterRegistry meters, RocksStore store, String name, String unit,
                               ToDoubleFunction<RocksStore> value, String description) {
        return Gauge.builder(name, store, s -> nanIfClosed((long) value.applyAsDouble(s)))
                .baseUnit(unit).description(description).strongReference(false).register(meters);
    }

    private static double hitRatio(RocksStore store) {
        double hits = nanIfClosed(store.ticker(TickerType.BLOCK_CACHE_HIT));
        double misses = nanIfClosed(store.ticker(TickerType.BLOCK_CACHE_MISS));
        return hits + misses == 0 ? Double.NaN : hits / (hits + misses);
    }

    private static double nanIfClosed(long value) {
        return value < 0 ? Double.NaN : value;
    }
}
