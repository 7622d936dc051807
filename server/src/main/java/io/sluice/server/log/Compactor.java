package io.sluice.server.log;

import com.google.protobuf.ByteString;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.config.TopicConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * One compaction pass over a log with cleanup.policy=compact: every batch but the last is rewritten without
 * the records that a later record of the same key superseded (per the {@link KeyIndex}), and without
 * tombstones older than delete.retention.ms. A record keeps its offset: a rewritten batch keeps its base
 * offset and offset span and lists its records' offsets in {@code offset_deltas}; a batch left with no
 * record is deleted. The last batch is never touched, so the log's end is always found again after a
 * restart. Runs on the cleaner thread; the rewrites go through the log writer, a few MiB at a time.
 */
final class Compactor {
    /** Rewritten bytes gathered before they are written, bounding the pass's memory. */
    private static final long FLUSH_BYTES = 8 << 20;

    private final LocalPartitionLog log;
    private final long tombstonesBeforeMs;
    private final Map<ByteBuffer, Long> latest = new HashMap<>();
    private final List<RecordBatch> rewritten = new ArrayList<>();
    private final List<RecordBatch> emptied = new ArrayList<>();
    private final Map<ByteBuffer, Long> droppedKeys = new HashMap<>();
    private long pendingBytes;
    private long freedBytes;
    private long removedRecords;

    private Compactor(LocalPartitionLog log, TopicConfig config, long nowMs) {
        this.log = log;
        this.tombstonesBeforeMs = nowMs - config.deleteRetentionMs();
    }

    /** Compacts the log once; returns how many records were removed. Blocking. */
    static long compact(LocalPartitionLog log, TopicConfig config, long nowMs) {
        Compactor compactor = new Compactor(log, config, nowMs);
        RecordBatch[] previous = {null};
        log.forEachBatch(log.startOffset(), log.highWatermark(), batch -> {
            if (previous[0] != null) {
                compactor.clean(previous[0]);
            }
            previous[0] = batch;
        });
        compactor.flush();
        return compactor.removedRecords;
    }

    private void clean(RecordBatch batch) {
        List<Record> records = KeyIndex.decode(batch.getRecords(), batch.getCompression());
        RecordSet.Builder kept = RecordSet.newBuilder();
        List<Integer> deltas = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            int delta = batch.getOffsetDeltasCount() == 0 ? i : batch.getOffsetDeltas(i);
            if (keep(records.get(i), batch.getBaseOffset() + delta, batch.getAppendTimeMs())) {
                kept.addRecords(records.get(i));
                deltas.add(delta);
            }
        }
        int removed = records.size() - deltas.size();
        if (removed == 0) {
            return;
        }
        removedRecords += removed;
        long before = batch.getSerializedSize();
        if (deltas.isEmpty()) {
            emptied.add(batch);
            freedBytes += before;
        } else {
            ByteString payload = BatchCodec.compress(batch.getCompression(), kept.build().toByteString());
            RecordBatch smaller = batch.toBuilder().setRecords(payload).clearOffsetDeltas().addAllOffsetDeltas(deltas).build();
            rewritten.add(smaller);
            freedBytes += before - smaller.getSerializedSize();
            pendingBytes += smaller.getSerializedSize();
        }
        if (pendingBytes >= FLUSH_BYTES) {
            flush();
        }
    }

    private boolean keep(Record record, long offset, long appendTimeMs) {
        if (!record.hasKey()) {
            return true;
        }
        ByteBuffer key = ByteBuffer.wrap(record.getKey().toByteArray());
        long newest = latest.computeIfAbsent(key, k -> log.latestOffsetOf(k.array()));
        if (newest > offset) {
            return false; // superseded (a key the index does not know, -1, is kept)
        }
        if (!record.hasValue() && newest == offset && appendTimeMs < tombstonesBeforeMs) {
            droppedKeys.put(key, offset);
            return false;
        }
        return true;
    }

    private void flush() {
        if (rewritten.isEmpty() && emptied.isEmpty()) {
            return;
        }
        try {
            log.replaceBatches(List.copyOf(rewritten), List.copyOf(emptied), Map.copyOf(droppedKeys), freedBytes).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        rewritten.clear();
        emptied.clear();
        droppedKeys.clear();
        pendingBytes = 0;
        freedBytes = 0;
    }
}
