package io.sluice.server.produce;

import io.sluice.server.storage.StorageStats;

/**
 * How much of its credit window a producer should get given the state of storage: 1 when RocksDB keeps up,
 * less while it delays writes or compaction falls behind, 0 while it has stopped writes.
 *
 * @param factor           share of the configured window to grant, 0..1
 * @param delayedWriteRate bytes/s RocksDB currently lets through when it delays writes, else 0
 * @param message          why, for a human; empty without pressure
 */
public record StoragePressure(double factor, long delayedWriteRate, String message) {
    /** Share of the window while RocksDB delays writes. */
    static final double DELAYED_FACTOR = 0.25;
    /** The least share granted while compaction is behind but writes still flow. */
    static final double MIN_COMPACTION_FACTOR = 0.1;

    public static StoragePressure none() {
        return new StoragePressure(1, 0, "");
    }

    public boolean present() {
        return factor < 1;
    }

    public static StoragePressure from(StorageStats stats) {
        if (stats.writeStopped()) {
            return new StoragePressure(0, 0, "storage has stopped writes until flushes and compactions catch up");
        }
        if (stats.delayedWriteRate() > 0) {
            return new StoragePressure(DELAYED_FACTOR, stats.delayedWriteRate(),
                    "storage delays writes to " + stats.delayedWriteRate() + " bytes/s");
        }
        long soft = stats.softPendingCompactionLimit();
        long hard = stats.hardPendingCompactionLimit();
        if (soft > 0 && hard > soft && stats.pendingCompactionBytes() > soft) {
            double left = (double) (hard - stats.pendingCompactionBytes()) / (hard - soft);
            return new StoragePressure(Math.max(MIN_COMPACTION_FACTOR, Math.min(1, left)), 0,
                    "storage has " + stats.pendingCompactionBytes() + " bytes of compaction pending");
        }
        return none();
    }
}
