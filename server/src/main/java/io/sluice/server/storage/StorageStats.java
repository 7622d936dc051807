package io.sluice.server.storage;

/**
 * How far behind RocksDB's background work is, from its properties.
 *
 * @param writeStopped             writes are stopped until flushes or compactions catch up
 * @param delayedWriteRate         bytes/s RocksDB throttles writes to; 0 when writes are not delayed
 * @param pendingCompactionBytes   estimated bytes compaction must rewrite to settle the log
 * @param softPendingCompactionLimit pending bytes at which RocksDB starts delaying writes
 * @param hardPendingCompactionLimit pending bytes at which RocksDB stops writes
 */
public record StorageStats(boolean writeStopped, long delayedWriteRate, long pendingCompactionBytes,
                           long softPendingCompactionLimit, long hardPendingCompactionLimit) {
    /** Stats of a store with nothing pending. */
    public static StorageStats idle() {
        return new StorageStats(false, 0, 0, 64L << 30, 256L << 30);
    }
}
