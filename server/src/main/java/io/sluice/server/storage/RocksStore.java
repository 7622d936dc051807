package io.sluice.server.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Range;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.SstPartitionerFixedPrefixFactory;
import org.rocksdb.SizeApproximationFlag;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * The broker's one RocksDB instance and every native resource that goes with it, opened and closed
 * here and nowhere else. Column families: {@code log} holds batches keyed by {@link LogKeys};
 * {@code meta} holds topic metadata and counters.
 */
public final class RocksStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private static final byte[] LOG_CF = "log".getBytes();
    private static final byte[] META_CF = "meta".getBytes();

    /** Native objects in creation order; closed in reverse. */
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final RocksDB db;
    private final ColumnFamilyHandle logCf;
    private final ColumnFamilyHandle metaCf;
    private final WriteOptions asyncWrite;
    private final WriteOptions syncWrite;
    private final long softPendingCompactionLimit;
    private final long hardPendingCompactionLimit;

    private RocksStore(Path dir, StorageMemory memory) throws RocksDBException {
        Cache cache = own(new LRUCache(memory.blockCacheBytes()));
        // One budget for every memtable of every partition: memory stays flat however many partitions exist.
        WriteBufferManager writeBuffers = own(new WriteBufferManager(memory.writeBufferBytes(), cache));
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setBlockSize(64 << 10)
                .setFilterPolicy(own(new BloomFilter(10)));
        ColumnFamilyOptions logOptions = own(new ColumnFamilyOptions())
                // Batches are stored whole and often already compressed by the producer: compressing again
                // costs flush time, which is the write bottleneck, for little gain.
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setWriteBufferSize(Math.max(4L << 20, memory.writeBufferBytes() / 4))
                .setMaxWriteBufferNumber(4)
                .setTargetFileSizeBase(64L << 20)
                // One SST file per log id: a flush of many partitions then writes files that do not overlap,
                // and each partition's keys only grow, so compaction moves files down instead of rewriting.
                .setSstPartitionerFactory(own(new SstPartitionerFixedPrefixFactory(8)))
                .setTableFormatConfig(table);
        ColumnFamilyOptions metaOptions = own(new ColumnFamilyOptions());
        DBOptions dbOptions = own(new DBOptions())
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(Math.max(2, Runtime.getRuntime().availableProcessors()))
                // Monotonic keys compact by trivial moves; let writes run at disk speed before delaying them.
                .setDelayedWriteRate(1L << 30)
                .setWriteBufferManager(writeBuffers)
                .setKeepLogFileNum(5);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, metaOptions),
                new ColumnFamilyDescriptor(LOG_CF, logOptions),
                new ColumnFamilyDescriptor(META_CF, metaOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        handles.forEach(this::own);
        this.logCf = handles.get(1);
        this.metaCf = handles.get(2);
        this.asyncWrite = own(new WriteOptions());
        this.syncWrite = own(new WriteOptions().setSync(true));
        this.softPendingCompactionLimit = logOptions.softPendingCompactionBytesLimit();
        this.hardPendingCompactionLimit = logOptions.hardPendingCompactionBytesLimit();
    }

    /** Opens (or creates) the store under {@code dir}. */
    public static RocksStore open(Path dir, StorageMemory memory) {
        try {
            Files.createDirectories(dir);
            return new RocksStore(dir, memory);
        } catch (RocksDBException | java.io.IOException e) {
            throw new StorageException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /** Commits a write batch, synced to disk when asked. Blocking: call only on a storage thread. */
    public void write(WriteBatch batch, boolean sync) {
        try {
            db.write(sync ? syncWrite : asyncWrite, batch);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB write failed: " + e.getMessage(), e);
        }
    }

    public void putLog(WriteBatch batch, byte[] key, byte[] value) {
        try {
            batch.put(logCf, key, value);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB batch put failed: " + e.getMessage(), e);
        }
    }

    public void deleteLogRange(WriteBatch batch, byte[] fromInclusive, byte[] toExclusive) {
        try {
            batch.deleteRange(logCf, fromInclusive, toExclusive);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB delete range failed: " + e.getMessage(), e);
        }
    }

    public void putMeta(WriteBatch batch, byte[] key, byte[] value) {
        try {
            batch.put(metaCf, key, value);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB batch put failed: " + e.getMessage(), e);
        }
    }

    public void deleteMeta(WriteBatch batch, byte[] key) {
        try {
            batch.delete(metaCf, key);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB batch delete failed: " + e.getMessage(), e);
        }
    }

    public byte[] getMeta(byte[] key) {
        try {
            return db.get(metaCf, key);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB get failed: " + e.getMessage(), e);
        }
    }

    /** Every meta entry whose key starts with {@code prefix}, in key order. */
    public Map<byte[], byte[]> scanMeta(byte[] prefix) {
        Map<byte[], byte[]> out = new LinkedHashMap<>();
        forEachMeta(prefix, out::put);
        return out;
    }

    private void forEachMeta(byte[] prefix, BiConsumer<byte[], byte[]> action) {
        try (RocksIterator it = db.newIterator(metaCf)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (!startsWith(key, prefix)) {
                    break;
                }
                action.accept(key, it.value());
            }
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A cursor over one log's key range {@code [from, to)}; the caller closes it. The cursor pins
     * a consistent view of the data, so keep it open only for one read.
     */
    public LogCursor logCursor(long logId, long fromOffset, long toOffset) {
        Slice lower = new Slice(LogKeys.key(logId, fromOffset));
        Slice upper = new Slice(LogKeys.key(logId, toOffset));
        ReadOptions options = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
        return new LogCursor(db.newIterator(logCf, options), options, lower, upper);
    }

    /** Approximate bytes stored for one log: memtables and SST files. */
    public long approximateLogSize(long logId) {
        try (Slice from = new Slice(LogKeys.key(logId, 0)); Slice to = new Slice(LogKeys.key(logId, Long.MAX_VALUE))) {
            long[] sizes = db.getApproximateSizes(logCf, List.of(new Range(from, to)),
                    SizeApproximationFlag.INCLUDE_FILES, SizeApproximationFlag.INCLUDE_MEMTABLES);
            return sizes[0];
        }
    }

    /**
     * Write-stall indicators of the log: whether writes are stopped, the delayed write rate and the pending
     * compaction bytes. In-memory properties, but they take RocksDB's DB mutex: sample them off the
     * gRPC threads.
     */
    public StorageStats stats() {
        try {
            return new StorageStats(db.getLongProperty("rocksdb.is-write-stopped") != 0,
                    db.getLongProperty("rocksdb.actual-delayed-write-rate"),
                    db.getLongProperty(logCf, "rocksdb.estimate-pending-compaction-bytes"),
                    softPendingCompactionLimit, hardPendingCompactionLimit);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB property read failed: " + e.getMessage(), e);
        }
    }

    /** Flushes memtables to SST files (used before a clean shutdown, to shorten the next start). */
    public void flush() {
        try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
            db.flush(options, List.of(logCf, metaCf));
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB flush failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        db.cancelAllBackgroundWork(true);
        // Column family handles must close before the DB, the DB before its options.
        List<AutoCloseable> handles = owned.stream().filter(o -> o instanceof ColumnFamilyHandle).toList();
        handles.forEach(RocksStore::closeQuietly);
        db.close();
        for (int i = owned.size() - 1; i >= 0; i--) {
            if (!(owned.get(i) instanceof ColumnFamilyHandle)) {
                closeQuietly(owned.get(i));
            }
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception ignored) {
            // Closing native handles only fails if already closed.
        }
    }
}
