package io.sluice.server.consume;

import io.micrometer.core.instrument.Counter;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.server.log.PartitionLog;
import java.util.ArrayDeque;

/** A session's position in one partition, with the batches read ahead for it (bounded by credit). */
final class Cursor {
    final PartitionLog log;
    final Counter recordsSent;
    final Counter bytesSent;
    final ArrayDeque<RecordBatch> readAhead = new ArrayDeque<>();
    long next;

    Cursor(PartitionLog log, long next, Counter recordsSent, Counter bytesSent) {
        this.log = log;
        this.next = next;
        this.recordsSent = recordsSent;
        this.bytesSent = bytesSent;
    }

    /** Whether there is something to deliver without waiting for an append. */
    boolean readable() {
        return !readAhead.isEmpty() || next < log.highWatermark();
    }
}
