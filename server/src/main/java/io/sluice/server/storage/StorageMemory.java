package io.sluice.server.storage;

/**
 * RocksDB's native memory budget.
 *
 * @param writeBufferBytes all memtables together, across every partition
 * @param blockCacheBytes  the block cache for reads that miss the memtables
 */
public record StorageMemory(long writeBufferBytes, long blockCacheBytes) {
}
