package io.sluice.server.queue;

import com.google.protobuf.ByteString;
import io.sluice.proto.v1.Record;

/** One unsettled record of a queue partition as the broker holds it. Confined to the queue's worker. */
final class Entry {
    enum State {
        /** Waiting for a worker with credit (if its key's turn has come, with ordering=key). */
        AVAILABLE,
        /** Waiting for its next delivery time (a NACK's delay or backoff). */
        DELAYED,
        /** Delivered and locked to {@link #holder} until {@link #lockExpiresMs}. */
        LOCKED,
        /** Acked or dead-lettered; leaves the queue once that is stored. */
        SETTLING
    }

    final PartitionQueue partition;
    final long offset;
    final Record record;
    /** The record key, or null for none (keyless records are never ordered). */
    final ByteString key;
    /** Credit bytes the record costs: its serialized size. */
    final int bytes;
    final long appendTimeMs;

    State state = State.AVAILABLE;
    int deliveries;
    QueueStream holder;
    long lockExpiresMs;
    long notBeforeMs;
    String lastFailure = "";
    /** Set while SETTLING towards the dead-letter topic: why. Null for an ack. */
    String deadLetterReason;
    /** Whether the entry is in its queue's timers, due at {@link #timerDueMs} (a lock's end, or a delay's). */
    boolean timed;
    long timerDueMs;
    /** Whether a row is stored for it (it was delivered, or restored after a restart). */
    boolean stored;

    Entry(PartitionQueue partition, long offset, Record record, long appendTimeMs) {
        this.partition = partition;
        this.offset = offset;
        this.record = record;
        this.key = record.hasKey() ? record.getKey() : null;
        this.bytes = record.getSerializedSize();
        this.appendTimeMs = appendTimeMs;
    }

    QueueStore.Row row() {
        return new QueueStore.Row(deliveries, state == State.DELAYED ? notBeforeMs : 0, lastFailure);
    }

    @Override
    public String toString() {
        return partition.log.id() + "@" + offset;
    }
}
