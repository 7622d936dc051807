package io.sluice.server.log;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.proto.v1.Compression;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.error.SluiceException;
import io.sluice.server.storage.GroupCommitWriter;
import io.sluice.server.storage.LogCursor;
import io.sluice.server.storage.LogKeys;
import io.sluice.server.storage.RocksStore;
import io.sluice.server.storage.StorageException;
import io.sluice.server.storage.WriteOp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import io.sluice.server.config.TopicConfig;
import java.util.function.Supplier;
import java.util.function.Predicate;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A partition log stored in the broker's RocksDB: one key per batch, keyed by (log id, base offset);
 * the value is the serialized RecordBatch without its base offset, which the key supplies on read.
 *
 * <p>Next to the batches, in the same column family (see {@link LogKeys}) and written in the same
 * WriteBatch, so they can never disagree with the data after a crash:
 * <ul>
 *   <li>the <b>log start offset</b>, once retention advanced it, so that a log emptied by retention never
 *       hands out its old offsets again after a restart;</li>
 *   <li>the <b>time index</b>: an entry (running maximum record timestamp, base offset) for each batch that
 *       raises the running maximum. The running maximum never decreases along the log, so the first entry
 *       at or after T (one RocksDB seek, O(log n)) names the first batch that holds a record with a timestamp
 *       at or after T, and no earlier record has one.</li>
 * </ul>
 */
public final class LocalPartitionLog implements PartitionLog {
    private static final Logger log = LoggerFactory.getLogger(LocalPartitionLog.class);

    private final TopicPartition id;
    private final long logId;
    private final RocksStore store;
    private final GroupCommitWriter writer;
    private final Clock clock;
    /** The topic's config, read at each append so that a change applies at once. */
    private final Supplier<TopicConfig> config;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** Idempotent producers' last batches; touched only on the writer thread (and in recovery). */
    private final ProducerSequences producers = new ProducerSequences();
    /** Next offset to assign; touched only on the writer thread. */
    private long nextOffset;
    /** Largest record timestamp appended so far (the time index's last entry); writer thread only. */
    private long maxTimestampSoFar = Long.MIN_VALUE;
    private volatile long highWatermark;
    private volatile long startOffset;
    /** Bytes of the stored batches; written only on the writer thread (and at recovery). */
    private volatile long storedBytes;
    private volatile boolean deleted;

    LocalPartitionLog(TopicPartition id, long logId, RocksStore store, GroupCommitWriter writer, Clock clock,
                      Supplier<TopicConfig> config) {
        if (!LogKeys.validLogId(logId)) {
            throw new IllegalArgumentException("log id " + logId + " collides with the log metadata keys");
        }
        this.id = id;
        this.logId = logId;
        this.store = store;
        this.writer = writer;
        this.clock = clock;
        this.config = config;
        recover();
    }

    /**
     * Finds the log's bounds: the start is the persisted start offset (else the first batch), the end is
     * the end of the last batch, or the start if retention deleted every batch.
     */
    private void recover() {
        byte[] persistedStart = store.getLog(logId, LogKeys.startOffsetKey());
        long start = persistedStart == null ? 0 : LogKeys.longValue(persistedStart);
        long end = start;
        try (LogCursor cursor = store.logCursor(logId, 0, Long.MAX_VALUE)) {
            cursor.seekToLast();
            if (cursor.isValid()) {
                long base = LogKeys.offset(cursor.key());
                end = Math.max(end, base + parse(cursor.value()).getRecordCount());
                if (persistedStart == null) {
                    cursor.seekToFirst();
                    start = LogKeys.offset(cursor.key());
                }
                storedBytes = store.approximateLogSize(logId);
            }
        }
        try (LogCursor index = store.logRangeCursor(logId, LogKeys.timeIndexStart(), LogKeys.timeIndexEnd())) {
            index.seekToLast();
            if (index.isValid()) {
                maxTimestampSoFar = LogKeys.timeIndexTimestamp(index.key());
            }
        }
        try (LogCursor states = store.logRangeCursor(logId, LogKeys.producerStart(), LogKeys.producerEnd())) {
            for (states.seekToFirst(); states.isValid(); states.next()) {
                producers.restore(LogKeys.producerId(states.key()), states.value());
            }
        }
        startOffset = start;
        highWatermark = end;
        nextOffset = end;
    }

    @Override
    public TopicPartition id() {
        return id;
    }

    long logId() {
        return logId;
    }

    @Override
    public long startOffset() {
        return startOffset;
    }

    @Override
    public long highWatermark() {
        return highWatermark;
    }

    @Override
    public long sizeBytes() {
        return store.approximateLogSize(logId);
    }

    @Override
    public long storedBytes() {
        return storedBytes;
    }

    /** Bytes of the log's live SST files, from RocksDB's own property. Blocking. */
    long diskBytes() {
        return store.liveSstBytes(logId);
    }

    /** Moves the log's memtable to disk (so that {@link #diskBytes} counts everything). Blocking. */
    void flush() {
        store.flushLog(logId);
    }

    @Override
    public Mono<AppendResult> append(AppendBatch batch) {
        return append(batch, MetaWrites.NONE);
    }

    @Override
    public Mono<AppendResult> append(AppendBatch batch, MetaWrites alongside) {
        TopicConfig topicConfig = config.get();
        int limit = topicConfig.maxBatchBytes();
        if (batch.records().size() > limit) {
            return Mono.error(new SluiceException(ErrorCode.INVALID_BATCH, "Batch of " + batch.records().size()
                    + " bytes is larger than max.batch.bytes=" + limit + " of topic '" + id.topic()
                    + "': send smaller batches"));
        }
        long appendTime = clock.millis();
        byte[] value = RecordBatch.newBuilder()
                .setRecordCount(batch.recordCount())
                .setAppendTimeMs(appendTime)
                .setMaxTimestampMs(batch.maxTimestampMs())
                .setCompression(batch.compression())
                .setRecords(batch.records())
                .build()
                .toByteArray();
        // Compacted logs index each record's key (computed here, off the writer thread).
        List<byte[]> keys = topicConfig.compact() ? KeyIndex.keysOf(batch.records(), batch.compression()) : List.of();
        return Mono.create(sink -> writer.submit(new AppendOp(value, batch, appendTime, keys, alongside, sink)));
    }

    /** Appends one batch; runs on the writer thread, so offsets are assigned without locks. */
    private final class AppendOp implements WriteOp {
        private final byte[] value;
        private final AppendBatch batch;
        private final long appendTime;
        private final MonoSink<AppendResult> sink;
        /** Each record's key (null for none) in a compacted log; empty otherwise. */
        private final List<byte[]> keys;
        private final MetaWrites alongside;
        private long baseOffset = -1;
        private long previousMaxTimestamp;
        /** Set when this is an idempotent producer's retry of a batch already appended: nothing is written. */
        private ProducerSequences.Entry duplicateOf;
        /** The producer state this append recorded, undone if the write fails. */
        private ProducerSequences.Entry recorded;

        AppendOp(byte[] value, AppendBatch batch, long appendTime, List<byte[]> keys, MetaWrites alongside,
                 MonoSink<AppendResult> sink) {
            this.value = value;
            this.keys = keys;
            this.alongside = alongside;
            this.batch = batch;
            this.appendTime = appendTime;
            this.sink = sink;
        }

        @Override
        public void apply(WriteBatch writeBatch) {
            if (deleted) {
                throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "Topic '" + id.topic() + "' was deleted");
            }
            AppendBatch.ProducerSequence producer = batch.producer();
            if (producer != null) {
                ProducerSequences.Decision decision = producers.check(producer.producerId(), producer.sequence());
                if (decision instanceof ProducerSequences.Duplicate duplicate) {
                    duplicateOf = duplicate.original();
                    return;
                }
                if (decision instanceof ProducerSequences.OutOfOrder outOfOrder) {
                    throw new SluiceException(ErrorCode.OUT_OF_ORDER_SEQUENCE, "Producer " + producer.producerId()
                            + " on " + id + ": " + outOfOrder.reason());
                }
            }
            // What must be stored with the batch or not at all (a queue state change), in the same write.
            alongside.applyTo(store, writeBatch);
            baseOffset = nextOffset;
            store.putLog(writeBatch, logId, LogKeys.key(logId, baseOffset), value);
            KeyIndex.put(store, writeBatch, logId, keys, baseOffset);
            previousMaxTimestamp = maxTimestampSoFar;
            if (batch.maxTimestampMs() > maxTimestampSoFar) {
                store.putLog(writeBatch, logId, LogKeys.timeIndexKey(batch.maxTimestampMs(), baseOffset), new byte[0]);
                maxTimestampSoFar = batch.maxTimestampMs();
            }
            nextOffset = baseOffset + batch.recordCount();
            if (producer != null) {
                // The producer's state is written with the batch, so after a crash both or neither exist.
                recorded = new ProducerSequences.Entry(producer.sequence(), baseOffset, batch.recordCount());
                store.putLog(writeBatch, logId, LogKeys.producerKey(producer.producerId()),
                        producers.record(producer.producerId(), recorded));
            }
        }

        @Override
        public boolean sync() {
            return batch.fsync();
        }

        @Override
        public int weight() {
            return value.length;
        }

        @Override
        public void committed() {
            if (duplicateOf != null) {
                sink.success(new AppendResult(duplicateOf.baseOffset(), duplicateOf.recordCount(), appendTime, true));
                return;
            }
            storedBytes += value.length;
            highWatermark = baseOffset + batch.recordCount();
            sink.success(new AppendResult(baseOffset, batch.recordCount(), appendTime));
            for (Runnable listener : listeners) {
                listener.run();
            }
        }

        @Override
        public void failed(RuntimeException cause) {
            if (baseOffset >= 0) {
                // The group holding this op was not written: its offsets and index entry are free again.
                nextOffset = Math.min(nextOffset, baseOffset);
                maxTimestampSoFar = Math.min(maxTimestampSoFar, previousMaxTimestamp);
            }
            if (recorded != null) {
                producers.forget(batch.producer().producerId(), recorded);
            }
            if (cause instanceof SluiceException) {
                sink.error(cause);
            } else {
                sink.error(new SluiceException(ErrorCode.BROKER_UNAVAILABLE,
                        "The broker could not store the batch: " + cause.getMessage(), cause));
            }
        }
    }

    @Override
    public LogReadResult read(long fromOffset, long maxBytes, long maxRecords) {
        long end = highWatermark;
        List<RecordBatch> batches = new ArrayList<>();
        long bytes = 0;
        long records = 0;
        try (LogCursor cursor = store.logCursor(logId, 0, end)) {
            // Read after the cursor pinned its view: retention moves the start before it deletes, so a view
            // without the deleted batches always comes with the start past them.
            long start = startOffset;
            if (fromOffset < start || fromOffset >= end) {
                return new LogReadResult(List.of(), end, start);
            }
            cursor.seekForPrev(LogKeys.key(logId, fromOffset));
            if (!cursor.isValid()) {
                cursor.seekToFirst();
            }
            for (; cursor.isValid(); cursor.next()) {
                long base = LogKeys.offset(cursor.key());
                RecordBatch batch = parse(cursor.value());
                if (base + batch.getRecordCount() <= fromOffset) {
                    continue;
                }
                batches.add(batch.toBuilder().setBaseOffset(base).build());
                bytes += batch.getRecords().size();
                records += base + batch.getRecordCount() - Math.max(base, fromOffset);
                if (bytes >= maxBytes || records >= maxRecords) {
                    break;
                }
            }
            return new LogReadResult(batches, end, start);
        } catch (RuntimeException e) {
            throw new StorageException("read of " + id + " at offset " + fromOffset + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long offsetForTimestamp(long timestampMs) {
        long end = highWatermark;
        long from;
        try (LogCursor index = store.logRangeCursor(logId, LogKeys.timeIndexStart(), LogKeys.timeIndexEnd())) {
            index.seek(LogKeys.timeIndexKey(timestampMs, 0));
            if (!index.isValid()) {
                return end;
            }
            from = LogKeys.timeIndexOffset(index.key());
        }
        // Every record before `from` is older than T. Retention may have deleted the batch the index names:
        // then the answer is at or after the start, and the batches from there are scanned until one is found.
        from = Math.max(from, startOffset);
        if (from >= end) {
            return end;
        }
        try (LogCursor cursor = store.logCursor(logId, 0, end)) {
            cursor.seekForPrev(LogKeys.key(logId, from));
            if (!cursor.isValid()) {
                cursor.seekToFirst();
            }
            for (; cursor.isValid(); cursor.next()) {
                long base = LogKeys.offset(cursor.key());
                RecordBatch batch = parse(cursor.value());
                if (base + batch.getRecordCount() <= from || batch.getMaxTimestampMs() < timestampMs) {
                    continue;
                }
                if (batch.getCompression() != Compression.COMPRESSION_NONE) {
                    return Math.max(base, from);
                }
                List<Record> decoded = RecordSet.parseFrom(batch.getRecords()).getRecordsList();
                for (int i = 0; i < decoded.size(); i++) {
                    long offset = base + (batch.getOffsetDeltasCount() == 0 ? i : batch.getOffsetDeltas(i));
                    if (offset >= from && decoded.get(i).getTimestampMs() >= timestampMs) {
                        return offset;
                    }
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new StorageException("corrupt batch in " + id + ": " + e.getMessage(), e);
        }
        return end;
    }

    /** A stored batch's header, as retention judges it. */
    record BatchInfo(long baseOffset, int recordCount, long appendTimeMs, long sizeBytes) {
        long endOffset() {
            return baseOffset + recordCount;
        }
    }

    /**
     * Walks the batches from the start, in offset order, while {@code delete} accepts them, and returns the
     * offset after the last accepted one: the start offset a deletion of them would leave. Blocking.
     */
    long scanHead(Predicate<BatchInfo> delete) {
        long end = highWatermark;
        long newStart = startOffset;
        try (LogCursor cursor = store.logCursor(logId, newStart, end)) {
            for (cursor.seekToFirst(); cursor.isValid(); cursor.next()) {
                byte[] value = cursor.value();
                RecordBatch batch = parse(value);
                BatchInfo info = new BatchInfo(LogKeys.offset(cursor.key()), batch.getRecordCount(),
                        batch.getAppendTimeMs(), value.length);
                if (!delete.test(info)) {
                    return newStart;
                }
                newStart = info.endOffset();
            }
        }
        return Math.max(newStart, startOffset);
    }

    /**
     * Deletes every batch below {@code newStart} (a batch boundary) and moves the start offset there, durably:
     * the range deletion, the time index entries no longer needed and the new start are one write. Completes
     * with {@code freedBytes} (the batches' size, as the caller counted it) once written, or 0 if there was
     * nothing to delete; the disk space comes back with {@link #reclaim}. Never blocks.
     */
    CompletableFuture<Long> deleteBefore(long newStart, long freedBytes) {
        byte[] indexCut = timeIndexCut(newStart);
        CompletableFuture<Long> done = new CompletableFuture<>();
        writer.submit(new WriteOp() {
            private long previousStart = -1;

            @Override
            public void apply(WriteBatch batch) {
                if (deleted || newStart <= startOffset) {
                    return;
                }
                store.deleteLogRange(batch, logId, LogKeys.key(logId, 0), LogKeys.key(logId, newStart));
                if (indexCut != null) {
                    store.deleteLogRange(batch, logId, LogKeys.timeIndexStart(), indexCut);
                }
                store.putLog(batch, logId, LogKeys.startOffsetKey(), LogKeys.longValue(newStart));
                // Before the write: a reader that sees the batches gone sees the new start too.
                previousStart = startOffset;
                startOffset = newStart;
            }

            @Override
            public boolean sync() {
                return false;
            }

            @Override
            public int weight() {
                return 64;
            }

            @Override
            public void committed() {
                if (previousStart >= 0) {
                    storedBytes = Math.max(0, storedBytes - freedBytes);
                }
                done.complete(previousStart >= 0 ? freedBytes : 0L);
                // Readers waiting below the new start must notice it.
                listeners.forEach(Runnable::run);
            }

            @Override
            public void failed(RuntimeException cause) {
                if (previousStart >= 0) {
                    startOffset = previousStart;
                }
                done.completeExceptionally(cause);
            }
        });
        return done;
    }

    /**
     * The key before which time index entries may go once the log starts at {@code newStart}: the last entry
     * naming a batch below the start is kept, as it still covers the batches from the start up to the next
     * entry. Null if nothing can go.
     */
    private byte[] timeIndexCut(long newStart) {
        byte[] lastBelow = null;
        try (LogCursor index = store.logRangeCursor(logId, LogKeys.timeIndexStart(), LogKeys.timeIndexEnd())) {
            for (index.seekToFirst(); index.isValid(); index.next()) {
                byte[] key = index.key();
                if (LogKeys.timeIndexOffset(key) >= newStart) {
                    break;
                }
                lastBelow = key;
            }
        }
        return lastBelow;
    }

    /** Gives the disk space of the batches below the start back to the file system. Blocking and slow. */
    void reclaim() {
        store.reclaim(logId, LogKeys.key(logId, 0), LogKeys.key(logId, startOffset));
    }

    /** Calls {@code action} with each stored batch (base offset set) whose base offset is in {@code [from, to)}. Blocking. */
    void forEachBatch(long from, long to, java.util.function.Consumer<RecordBatch> action) {
        try (LogCursor cursor = store.logCursor(logId, from, to)) {
            for (cursor.seekToFirst(); cursor.isValid(); cursor.next()) {
                action.accept(parse(cursor.value()).toBuilder().setBaseOffset(LogKeys.offset(cursor.key())).build());
            }
        }
    }

    /** The offset of the latest record with this key, per the key index, or -1. Blocking. */
    long latestOffsetOf(byte[] recordKey) {
        return KeyIndex.latest(store, logId, recordKey);
    }

    /**
     * Replaces stored batches as compaction rewrote them (same base offsets; a batch with no record left is
     * deleted) and drops the key index entries of expired tombstones that are still the latest for their
     * key. One write through the log writer, ordered with appends. Completes once written.
     */
    CompletableFuture<Void> replaceBatches(List<RecordBatch> rewritten, List<RecordBatch> emptied,
                                           java.util.Map<java.nio.ByteBuffer, Long> droppedKeys, long freedBytes) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        writer.submit(new WriteOp() {
            @Override
            public void apply(WriteBatch batch) {
                if (deleted) {
                    return;
                }
                for (RecordBatch b : rewritten) {
                    store.putLog(batch, logId, LogKeys.key(logId, b.getBaseOffset()), b.toBuilder().clearBaseOffset().build().toByteArray());
                }
                for (RecordBatch b : emptied) {
                    store.deleteLog(batch, logId, LogKeys.key(logId, b.getBaseOffset()));
                }
                // Appends earlier in this group are not readable yet and could have re-used a key: then the
                // entries stay (a stale entry only costs its space; the next append of the key replaces it).
                if (nextOffset == highWatermark) {
                    droppedKeys.forEach((key, offset) -> KeyIndex.deleteIfLatest(store, batch, logId, key, offset));
                }
                // The first batch may be gone now: keep the start where it is across a restart.
                store.putLog(batch, logId, LogKeys.startOffsetKey(), LogKeys.longValue(startOffset));
            }

            @Override
            public boolean sync() {
                return false;
            }

            @Override
            public int weight() {
                return 1024;
            }

            @Override
            public void committed() {
                storedBytes = Math.max(0, storedBytes - freedBytes);
                done.complete(null);
            }

            @Override
            public void failed(RuntimeException cause) {
                done.completeExceptionally(cause);
            }
        });
        return done;
    }

    @Override
    public Disposable onAppend(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Marks the log deleted: later appends fail, waiting readers are woken to notice. */
    void markDeleted() {
        deleted = true;
        listeners.forEach(Runnable::run);
    }

    @Override
    public boolean deleted() {
        return deleted;
    }

    private RecordBatch parse(byte[] value) {
        try {
            // Aliasing keeps the records payload a view of the value array: no copy.
            CodedInputStream in = CodedInputStream.newInstance(value);
            in.enableAliasing(true);
            return RecordBatch.parseFrom(in);
        } catch (java.io.IOException e) {
            log.error("corrupt batch in {}", id, e);
            throw new StorageException("corrupt batch in " + id + ": " + e.getMessage(), e);
        }
    }
}
