package io.sluice.server.queue;

import com.google.protobuf.ByteString;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.server.log.LogReadResult;
import io.sluice.server.log.MetaWrites;
import io.sluice.server.log.PartitionLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A queue's window on one partition: the unsettled records from the oldest one up to the read position,
 * held in memory (bounded by the queue's window settings) with their delivery state. Every offset below the
 * read position that is not in the window is settled. Confined to the queue's worker.
 */
final class PartitionQueue {
    /** Most payload bytes read from the log in one go. */
    private static final long MAX_READ_BYTES = 1 << 20;

    final int partition;
    final PartitionLog log;
    /** The next offset to read into the window. */
    long readPos;
    /** Records dead-lettered from this partition, as stored. */
    long deadLettered;
    /** Unsettled records (and those whose settlement is being stored), by offset. */
    final TreeMap<Long, Entry> window = new TreeMap<>();
    /** Records that may be delivered now, by offset: available and, with ordering=key, first of their key. */
    final TreeMap<Long, Entry> ready = new TreeMap<>();
    /** Per record key, the window's records with that key in offset order. */
    private final Map<ByteString, ArrayDeque<Entry>> keyLines = new HashMap<>();
    long heldBytes;
    /** Settled ranges at or beyond the read position, as stored before a restart. */
    private final OffsetRanges restoredSettled;
    /** Stored rows of records not read into the window yet, by offset. */
    private final Map<Long, QueueStore.Row> restoredRows;
    /**
     * The last batch read and its decoded records: while the window is full, each settlement makes room for a
     * few records, and they usually come from the same batch, which is then not decoded again.
     */
    private RecordBatch lastBatch;
    private List<Record> lastRecords;

    PartitionQueue(int partition, PartitionLog log, QueueStore.PartitionState state, Map<Long, QueueStore.Row> rows) {
        this.partition = partition;
        this.log = log;
        this.readPos = state.floor();
        this.deadLettered = state.deadLettered();
        this.restoredSettled = state.settled();
        this.restoredRows = new HashMap<>(rows);
    }

    /**
     * Reads records into the window while it has room. Returns the records added, with their restored
     * delivery count, last failure and next delivery time; the caller makes them available. Blocking.
     */
    List<Entry> refill(int maxRecords, long maxBytes) {
        List<Entry> added = new ArrayList<>();
        while (window.size() < maxRecords && heldBytes < maxBytes && readPos < log.highWatermark()) {
            long before = readPos;
            LogReadResult read = log.read(readPos, Math.min(MAX_READ_BYTES, maxBytes - heldBytes), maxRecords - window.size());
            if (read.belowStart(readPos)) {
                // Retention deleted records nobody settled: they are gone, the queue goes on from the log start.
                readPos = read.logStartOffset();
                continue;
            }
            for (RecordBatch batch : read.batches()) {
                boolean whole = StoredRecords.forEach(batch, decoded(batch), readPos, (offset, record, appendTime) -> {
                    Entry entry = new Entry(this, offset, record, appendTime);
                    if (window.size() >= maxRecords || (!window.isEmpty() && heldBytes + entry.bytes > maxBytes)) {
                        return false;
                    }
                    readPos = offset + 1;
                    if (!restoredSettled.contains(offset)) {
                        restore(entry);
                        window.put(offset, entry);
                        heldBytes += entry.bytes;
                        if (entry.key != null) {
                            keyLines.computeIfAbsent(entry.key, k -> new ArrayDeque<>()).addLast(entry);
                        }
                        added.add(entry);
                    }
                    return true;
                });
                if (!whole) {
                    break;
                }
                readPos = Math.max(readPos, batch.getBaseOffset() + batch.getRecordCount());
            }
            if (readPos == before) {
                break;
            }
        }
        restoredSettled.removeBelow(readPos);
        return added;
    }

    private List<Record> decoded(RecordBatch batch) {
        if (lastBatch == null || lastBatch.getBaseOffset() != batch.getBaseOffset()
                || lastBatch.getRecordCount() != batch.getRecordCount() || lastBatch.getRecords().size() != batch.getRecords().size()) {
            lastRecords = StoredRecords.decode(batch, log.id().toString());
            lastBatch = batch;
        }
        return lastRecords;
    }

    private void restore(Entry entry) {
        QueueStore.Row row = restoredRows.remove(entry.offset);
        if (row != null) {
            entry.deliveries = row.deliveries();
            entry.notBeforeMs = row.notBeforeMs();
            entry.lastFailure = row.lastFailure();
            entry.stored = true;
        }
    }

    /** Whether the entry is the first unsettled record of its key (always true for a keyless one). */
    boolean firstOfKey(Entry entry) {
        if (entry.key == null) {
            return true;
        }
        ArrayDeque<Entry> line = keyLines.get(entry.key);
        return line != null && line.peekFirst() == entry;
    }

    /** Takes a settling entry out of its key's line; returns the key's next record, or null. */
    Entry leaveKeyLine(Entry entry) {
        if (entry.key == null) {
            return null;
        }
        ArrayDeque<Entry> line = keyLines.get(entry.key);
        if (line == null) {
            return null;
        }
        line.remove(entry);
        if (line.isEmpty()) {
            keyLines.remove(entry.key);
            return null;
        }
        return line.peekFirst();
    }

    /** Drops a settled entry whose settlement is stored. */
    void remove(Entry entry) {
        if (window.remove(entry.offset) != null) {
            heldBytes -= entry.bytes;
        }
    }

    /**
     * Adds what storing these changes takes: the partition's state if records settle, the changed rows, and the
     * deletion of the settled records' rows.
     */
    void addWrites(QueueStore store, String queue, MetaWrites.Builder writes, Set<Entry> settling, Set<Entry> rows,
                   int deadLetters) {
        if (!settling.isEmpty()) {
            writeState(store, queue, writes, settling, deadLetters);
        }
        for (Entry entry : rows) {
            if (!settling.contains(entry)) {
                store.putRow(writes, queue, partition, entry.offset, entry.row());
                entry.stored = true;
            }
        }
        for (Entry entry : settling) {
            if (entry.stored) {
                store.deleteRow(writes, queue, partition, entry.offset);
            }
        }
    }

    /**
     * Adds this partition's state to {@code writes} as it will be once {@code settling} is stored too: the
     * floor is the first record still unsettled, the ranges are the settled runs after it.
     */
    private void writeState(QueueStore store, String queue, MetaWrites.Builder writes, Set<Entry> settling, int deadLetters) {
        long floor = readPos;
        long previous = -1;
        OffsetRanges settled = new OffsetRanges();
        for (Entry entry : window.values()) {
            if (settling.contains(entry)) {
                continue;
            }
            if (previous < 0) {
                floor = entry.offset;
            } else if (entry.offset > previous + 1) {
                settled.add(previous + 1, entry.offset);
            }
            previous = entry.offset;
        }
        if (previous >= 0) {
            settled.add(previous + 1, readPos);
        }
        restoredSettled.forEach((from, to) -> settled.add(Math.max(from, readPos), to));
        store.putPartition(writes, queue, partition, floor, deadLettered + deadLetters, settled);
    }

    /** Records not settled: in the window and not settling, plus those not read yet (an estimate with compaction gaps). */
    long backlog() {
        long unsettled = window.values().stream().filter(e -> e.state != Entry.State.SETTLING).count();
        return unsettled + Math.max(0, log.highWatermark() - readPos - restoredSettled.countFrom(readPos));
    }

    /** The first unsettled offset. */
    long floor() {
        for (Entry entry : window.values()) {
            if (entry.state != Entry.State.SETTLING) {
                return entry.offset;
            }
        }
        return readPos;
    }
}
