package io.sluice.server.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.HistogramType;
import org.rocksdb.LRUCache;
import org.rocksdb.Range;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.SizeApproximationFlag;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * The broker's one RocksDB instance and every native resource that goes with it, opened and closed
 * here and nowhere else. Each partition log has a column family of its own ({@code log-<id>}, batches
 * keyed by {@link LogKeys}); {@code meta} holds topic metadata, committed offsets and counters.
 *
 * <p>Why a column family per log: a memtable flush then writes one partition's keys only, and a
 * partition's offsets only grow, so its SST files never overlap and compaction moves them down instead
 * of rewriting them. With one shared family, every flush mixed all partitions and all data was written
 * twice (measured: half the append throughput at 8 partitions). Dropping a topic drops its families.
 */
public final class RocksStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private static final byte[] META_CF = "meta".getBytes();
    private static final String LOG_CF_PREFIX = "log-";

    /** Native objects in creation order; closed in reverse. */
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final RocksDB db;
    private final ColumnFamilyOptions logOptions;
    private final Map<Long, ColumnFamilyHandle> logs = new ConcurrentHashMap<>();
    private final ColumnFamilyHandle metaCf;
    private final WriteOptions asyncWrite;
    private final WriteOptions syncWrite;
    private final long softPendingCompactionLimit;
    private final long hardPendingCompactionLimit;
    /** Options of the manual compactions running now, so that close can cancel them. */
    private final java.util.Set<CompactRangeOptions> manualCompactions = new java.util.HashSet<>();
    private volatile boolean manualWorkCancelled;
    /** RocksDB's counters (tickers only: histograms are ignored, they cost on every operation). */
    private final Statistics statistics;
    /** Guards the reads that metrics make at any time against {@link #close}. */
    private final Object closeLock = new Object();
    private boolean closed;

    private RocksStore(Path dir, StorageMemory memory) throws RocksDBException {
        Cache cache = own(new LRUCache(memory.blockCacheBytes()));
        // One budget for every memtable of every partition: memory stays flat however many partitions exist.
        WriteBufferManager writeBuffers = own(new WriteBufferManager(memory.writeBufferBytes(), cache));
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setBlockSize(64 << 10)
                .setFilterPolicy(own(new BloomFilter(10)));
        this.logOptions = own(new ColumnFamilyOptions())
                // Batches are stored whole and often already compressed by the producer: compressing again
                // costs flush time, which is the write bottleneck, for little gain.
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setWriteBufferSize(Math.max(4L << 20, memory.writeBufferBytes() / 4))
                .setMaxWriteBufferNumber(4)
                .setTargetFileSizeBase(64L << 20)
                .setTableFormatConfig(table);
        ColumnFamilyOptions metaOptions = own(new ColumnFamilyOptions());
        this.statistics = own(new Statistics(java.util.EnumSet.allOf(HistogramType.class)));
        DBOptions dbOptions = own(new DBOptions())
                .setStatistics(statistics)
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(Math.max(2, Runtime.getRuntime().availableProcessors()))
                // Monotonic keys compact by trivial moves; let writes run at disk speed before delaying them.
                .setDelayedWriteRate(1L << 30)
                .setWriteBufferManager(writeBuffers)
                .setKeepLogFileNum(5);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>(List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, metaOptions),
                new ColumnFamilyDescriptor(META_CF, metaOptions)));
        List<byte[]> existing;
        try (org.rocksdb.Options probe = new org.rocksdb.Options()) {
            existing = RocksDB.listColumnFamilies(probe, dir.toString());
        }
        for (byte[] name : existing) {
            if (new String(name, StandardCharsets.UTF_8).startsWith(LOG_CF_PREFIX)) {
                descriptors.add(new ColumnFamilyDescriptor(name, logOptions));
            }
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        handles.forEach(this::own);
        this.metaCf = handles.get(1);
        for (int i = 2; i < handles.size(); i++) {
            String name = new String(descriptors.get(i).getName(), StandardCharsets.UTF_8);
            logs.put(Long.parseLong(name.substring(LOG_CF_PREFIX.length()), 16), handles.get(i));
        }
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

    /** Creates the column family of a log, if it does not exist yet. Blocking (a manifest write). */
    public synchronized void createLog(long logId) {
        if (logs.containsKey(logId)) {
            return;
        }
        try {
            byte[] name = (LOG_CF_PREFIX + Long.toHexString(logId)).getBytes(StandardCharsets.UTF_8);
            logs.put(logId, own(db.createColumnFamily(new ColumnFamilyDescriptor(name, logOptions))));
        } catch (RocksDBException e) {
            throw new StorageException("cannot create the column family of log " + logId + ": " + e.getMessage(), e);
        }
    }

    /** Drops a log's column family and so all its data. Open cursors on it stay valid until closed. */
    public synchronized void dropLog(long logId) {
        ColumnFamilyHandle handle = logs.remove(logId);
        if (handle == null) {
            return;
        }
        try {
            db.dropColumnFamily(handle);
        } catch (RocksDBException e) {
            throw new StorageException("cannot drop the column family of log " + logId + ": " + e.getMessage(), e);
        }
        // The handle itself is closed with the store: a reader may still hold it.
    }

    private ColumnFamilyHandle log(long logId) {
        ColumnFamilyHandle handle = logs.get(logId);
        if (handle == null) {
            throw new StorageException("no column family for log " + logId, null);
        }
        return handle;
    }

    public void putLog(WriteBatch batch, long logId, byte[] key, byte[] value) {
        try {
            batch.put(log(logId), key, value);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB batch put failed: " + e.getMessage(), e);
        }
    }

    /** Adds the deletion of one key of a log's column family to {@code batch}. */
    public void deleteLog(WriteBatch batch, long logId, byte[] key) {
        try {
            batch.delete(log(logId), key);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB batch delete failed: " + e.getMessage(), e);
        }
    }

    /** Adds a range deletion of the keys {@code [from, to)} of a log's column family to {@code batch}. */
    public void deleteLogRange(WriteBatch batch, long logId, byte[] from, byte[] to) {
        try {
            batch.deleteRange(log(logId), from, to);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB batch range delete failed: " + e.getMessage(), e);
        }
    }

    /** One key of a log's column family, or null. Blocking: call only on a storage thread. */
    public byte[] getLog(long logId, byte[] key) {
        try {
            return db.get(log(logId), key);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB get failed: " + e.getMessage(), e);
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
        return new LogCursor(db.newIterator(log(logId), options), options, lower, upper);
    }

    /** A cursor over the keys {@code [lower, upper)} of a log's column family (e.g. one of its indexes). */
    public LogCursor logRangeCursor(long logId, byte[] lower, byte[] upper) {
        Slice lowerSlice = new Slice(lower);
        Slice upperSlice = new Slice(upper);
        ReadOptions options = new ReadOptions().setIterateLowerBound(lowerSlice).setIterateUpperBound(upperSlice);
        return new LogCursor(db.newIterator(log(logId), options), options, lowerSlice, upperSlice);
    }

    /**
     * Gives the disk space of the deleted keys {@code [from, to)} of a log back: drops the SST files wholly
     * inside the range (no rewrite), then compacts the range, which flushes a memtable overlapping it and
     * rewrites the files at its edges without the deleted keys. Blocking and possibly long: call it only on
     * a background thread. Returns early, without error, once {@link #close} began.
     */
    public void reclaim(long logId, byte[] from, byte[] to) {
        ColumnFamilyHandle handle = logs.get(logId);
        if (handle == null || manualWorkCancelled) {
            return;
        }
        CompactRangeOptions options = new CompactRangeOptions()
                .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForceOptimized)
                .setExclusiveManualCompaction(false);
        try {
            synchronized (manualCompactions) {
                if (manualWorkCancelled) {
                    return;
                }
                manualCompactions.add(options);
            }
            db.deleteFilesInRanges(handle, List.of(from, to), false);
            db.compactRange(handle, from, to, options);
        } catch (RocksDBException e) {
            if (!manualWorkCancelled) {
                throw new StorageException("cannot reclaim the space of log " + logId + ": " + e.getMessage(), e);
            }
        } finally {
            synchronized (manualCompactions) {
                manualCompactions.remove(options);
                options.close();
            }
        }
    }

    /** Cancels running manual compactions and refuses new ones: the first step of shutting down. */
    public void cancelManualWork() {
        synchronized (manualCompactions) {
            manualWorkCancelled = true;
            manualCompactions.forEach(options -> options.setCanceled(true));
        }
    }

    /** Bytes of the live SST files of a log (RocksDB's {@code rocksdb.live-sst-files-size}). */
    public long liveSstBytes(long logId) {
        try {
            return db.getLongProperty(log(logId), "rocksdb.live-sst-files-size");
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB property read failed: " + e.getMessage(), e);
        }
    }

    /** Flushes a log's memtable to an SST file and waits for it. Blocking. */
    public void flushLog(long logId) {
        try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
            db.flush(options, log(logId));
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB flush failed: " + e.getMessage(), e);
        }
    }

    /** Approximate bytes stored for one log: memtables and SST files. */
    public long approximateLogSize(long logId) {
        try (Slice from = new Slice(LogKeys.key(logId, 0)); Slice to = new Slice(LogKeys.key(logId, Long.MAX_VALUE))) {
            long[] sizes = db.getApproximateSizes(log(logId), List.of(new Range(from, to)),
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
                    db.getAggregatedLongProperty("rocksdb.estimate-pending-compaction-bytes"),
                    softPendingCompactionLimit, hardPendingCompactionLimit);
        } catch (RocksDBException e) {
            throw new StorageException("RocksDB property read failed: " + e.getMessage(), e);
        }
    }

    /**
     * A DB-wide integer property summed over every column family (e.g. {@code rocksdb.total-sst-files-size}),
     * or -1 once the store is closed. Takes RocksDB's mutex: for metrics scrapes, not for hot paths.
     */
    public long aggregatedProperty(String name) {
        synchronized (closeLock) {
            if (closed) {
                return -1;
            }
            try {
                return db.getAggregatedLongProperty(name);
            } catch (RocksDBException e) {
                throw new StorageException("RocksDB property read failed: " + e.getMessage(), e);
            }
        }
    }

    /** A DB-wide integer property (e.g. {@code rocksdb.is-write-stopped}), or -1 once the store is closed. */
    public long property(String name) {
        synchronized (closeLock) {
            if (closed) {
                return -1;
            }
            try {
                return db.getLongProperty(name);
            } catch (RocksDBException e) {
                throw new StorageException("RocksDB property read failed: " + e.getMessage(), e);
            }
        }
    }

    /** A RocksDB counter since the store opened (e.g. block cache hits), or -1 once the store is closed. */
    public long ticker(TickerType ticker) {
        synchronized (closeLock) {
            return closed ? -1 : statistics.getTickerCount(ticker);
        }
    }

    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        cancelManualWork();
        db.cancelAllBackgroundWork(true);
        try {
            // Acknowledged async writes may be in the OS page cache only: on a clean stop, put them on disk too.
            db.flushWal(true);
        } catch (RocksDBException e) {
            // Closing goes on: the write-ahead log is replayed from whatever reached the disk.
        }
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
