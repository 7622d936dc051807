package io.sluice.server.consume;

import io.micrometer.core.instrument.Counter;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.server.log.PartitionLog;
import java.util.ArrayDeque;
import reactor.core.Disposable;

/** A session's position in one partition, with the batches read ahead for it (bounded by credit). */
final class Cursor {
    final PartitionLog log;
    final Counter recordsSent;
    final Counter bytesSent;
    final ArrayDeque<RecordBatch> readAhead = new ArrayDeque<>();
    long next;
    /** The subscription to the partition's appends, disposed when the session stops reading it. */
    Disposable onAppend;

    Cursor(PartitionLog log, long next, Counter recordsSent, Counter bytesSent) {
        this.log = log;
        this.next = next;
        this.recordsSent = recordsSent;
        this.bytesSent = bytesSent;
    }

    /** Stops reading: drops what was read ahead and stops listening for appends. */
    void close() {
        if (onAppend != null) {
            onAppend.dispose();
        }
        readAhead.clear();
    }

    /** Whether there is something to deliver without waiting for an append. */
    boolean readable() {
        return !readAhead.isEmpty() || next < log.highWatermark();
    }
}
