package io.sluice.client;

import java.util.ArrayDeque;

/**
 * The acknowledgements of one partition a group member owns. The session worker adds a mark per delivered
 * record, in offset order; {@link ReceivedRecord#ack()} sets the mark's flag from any thread. The committable
 * position is the offset of the first delivered record not yet acknowledged, or the one after the last record
 * when all are: acknowledging out of order never commits past an unprocessed record. Only the worker calls
 * the methods.
 */
final class PartitionAcks {
    /** A delivered record's acknowledgement: one volatile write, no task, no lock. */
    static final class Mark {
        private final long offset;
        private volatile boolean acked;

        private Mark(long offset) {
            this.offset = offset;
        }

        void ack() {
            acked = true;
        }
    }

    private final ArrayDeque<Mark> delivered = new ArrayDeque<>();
    /** The position when every delivered mark is acknowledged: after the last popped mark, or the start. */
    private long position;
    /** The last position the broker confirmed as committed; -1 before the first commit of this ownership. */
    private long committed = -1;

    PartitionAcks(long start) {
        this.position = start;
    }

    /** A mark for a record about to be delivered (offsets increase). */
    Mark deliver(long offset) {
        popAcked();
        Mark mark = new Mark(offset);
        delivered.add(mark);
        return mark;
    }

    /** The next offset to commit: every record below it was acknowledged. */
    long position() {
        popAcked();
        return delivered.isEmpty() ? position : delivered.peek().offset;
    }

    /**
     * Whether the position moved since the last confirmed commit. The first time it always has: even with
     * nothing read, committing the start pins it (a LATEST start would otherwise move on between restarts).
     */
    boolean uncommitted() {
        return position() != committed;
    }

    void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    private void popAcked() {
        // Marks leave in offset order, so the deque holds only the unacknowledged tail and what follows it.
        while (!delivered.isEmpty() && delivered.peek().acked) {
            position = delivered.poll().offset + 1;
        }
    }
}
