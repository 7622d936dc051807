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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A partition log stored in the broker's RocksDB: one key per batch, keyed by (log id, base offset);
 * the value is the serialized RecordBatch without its base offset, which the key supplies on read.
 */
public final class LocalPartitionLog implements PartitionLog {
    private static final Logger log = LoggerFactory.getLogger(LocalPartitionLog.class);

    private final TopicPartition id;
    private final long logId;
    private final RocksStore store;
    private final GroupCommitWriter writer;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** Next offset to assign; touched only on the writer thread. */
    private long nextOffset;
    private volatile long highWatermark;
    private volatile long startOffset;
    /** Bytes of the stored batches; written only on the writer thread (and at recovery). */
    private volatile long storedBytes;
    private volatile boolean deleted;

    LocalPartitionLog(TopicPartition id, long logId, RocksStore store, GroupCommitWriter writer) {
        this.id = id;
        this.logId = logId;
        this.store = store;
        this.writer = writer;
        recover();
    }

    /** Finds the log's bounds from the stored batches: the first key and the end of the last batch. */
    private void recover() {
        try (LogCursor cursor = store.logCursor(logId, 0, Long.MAX_VALUE)) {
            cursor.seekToLast();
            if (cursor.isValid()) {
                long base = LogKeys.offset(cursor.key());
                highWatermark = base + parse(cursor.value()).getRecordCount();
                cursor.seekToFirst();
                startOffset = LogKeys.offset(cursor.key());
                storedBytes = store.approximateLogSize(logId);
            }
        }
        nextOffset = highWatermark;
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

    @Override
    public Mono<AppendResult> append(AppendBatch batch) {
        long appendTime = System.currentTimeMillis();
        byte[] value = RecordBatch.newBuilder()
                .setRecordCount(batch.recordCount())
                .setAppendTimeMs(appendTime)
                .setMaxTimestampMs(batch.maxTimestampMs())
                .setCompression(batch.compression())
                .setRecords(batch.records())
                .build()
                .toByteArray();
        return Mono.create(sink -> writer.submit(new AppendOp(value, batch, appendTime, sink)));
    }

    /** Appends one batch; runs on the writer thread, so offsets are assigned without locks. */
    private final class AppendOp implements WriteOp {
        private final byte[] value;
        private final AppendBatch batch;
        private final long appendTime;
        private final MonoSink<AppendResult> sink;
        private long baseOffset = -1;

        AppendOp(byte[] value, AppendBatch batch, long appendTime, MonoSink<AppendResult> sink) {
            this.value = value;
            this.batch = batch;
            this.appendTime = appendTime;
            this.sink = sink;
        }

        @Override
        public void apply(WriteBatch writeBatch) {
            if (deleted) {
                throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "Topic '" + id.topic() + "' was deleted");
            }
            baseOffset = nextOffset;
            store.putLog(writeBatch, logId, LogKeys.key(logId, baseOffset), value);
            nextOffset = baseOffset + batch.recordCount();
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
                // The group holding this op was not written: its offsets are free again.
                nextOffset = Math.min(nextOffset, baseOffset);
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
        if (fromOffset >= end) {
            return new LogReadResult(List.of(), end);
        }
        List<RecordBatch> batches = new ArrayList<>();
        long bytes = 0;
        long records = 0;
        try (LogCursor cursor = store.logCursor(logId, 0, end)) {
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
        } catch (RuntimeException e) {
            throw new StorageException("read of " + id + " at offset " + fromOffset + " failed: " + e.getMessage(), e);
        }
        return new LogReadResult(batches, end);
    }

    @Override
    public long offsetForTimestamp(long timestampMs) {
        // A linear scan over batch headers; the time index arrives with the retention work.
        long end = highWatermark;
        try (LogCursor cursor = store.logCursor(logId, 0, end)) {
            for (cursor.seekToFirst(); cursor.isValid(); cursor.next()) {
                RecordBatch batch = parse(cursor.value());
                if (batch.getMaxTimestampMs() < timestampMs) {
                    continue;
                }
                long base = LogKeys.offset(cursor.key());
                if (batch.getCompression() != Compression.COMPRESSION_NONE) {
                    return base;
                }
                List<Record> decoded = RecordSet.parseFrom(batch.getRecords()).getRecordsList();
                for (int i = 0; i < decoded.size(); i++) {
                    if (decoded.get(i).getTimestampMs() >= timestampMs) {
                        return base + i;
                    }
                }
                return base;
            }
        } catch (InvalidProtocolBufferException e) {
            throw new StorageException("corrupt batch in " + id + ": " + e.getMessage(), e);
        }
        return end;
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
