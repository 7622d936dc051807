package io.sluice.loadtest.harness;

import java.util.concurrent.atomic.AtomicLong;

/** The records a run may still send, shared by its producers, handed out in chunks to avoid contention. */
final class RecordBudget {
    private final AtomicLong left;

    RecordBudget(long records) {
        this.left = new AtomicLong(records);
    }

    /** Up to {@code wanted} records; 0 when the budget is spent. */
    long claim(long wanted) {
        while (true) {
            long now = left.get();
            if (now <= 0) {
                return 0;
            }
            long granted = Math.min(now, wanted);
            if (left.compareAndSet(now, now - granted)) {
                return granted;
            }
        }
    }
}
