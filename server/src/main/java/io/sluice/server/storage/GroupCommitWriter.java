package io.sluice.server.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single thread that writes to the log. Ops submitted while a write is in progress are
 * committed together in the next RocksDB WriteBatch (group commit), so many producers cost one
 * write, and at most one sync, per group. Submitting never blocks: callers enqueue and return.
 */
public final class GroupCommitWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);
    private static final int MAX_GROUP_OPS = 4096;
    private static final int MAX_GROUP_BYTES = 32 << 20;

    private final RocksStore store;
    private final ConcurrentLinkedQueue<WriteOp> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean parked = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closing;

    public GroupCommitWriter(RocksStore store) {
        this.store = store;
        this.thread = new Thread(this::run, "sluice-log-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues an op; it will be committed or failed on the writer thread. */
    public void submit(WriteOp op) {
        if (closing) {
            op.failed(new StorageException("the log writer is shut down", null));
            return;
        }
        queue.offer(op);
        if (parked.get()) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        List<WriteOp> group = new ArrayList<>();
        while (true) {
            WriteOp first = queue.poll();
            if (first == null) {
                if (closing) {
                    return;
                }
                parked.set(true);
                // Re-check after announcing the park, so a submit racing with us is never missed.
                if (queue.isEmpty()) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
                }
                parked.set(false);
                continue;
            }
            group.clear();
            group.add(first);
            int bytes = first.weight();
            WriteOp next;
            while (group.size() < MAX_GROUP_OPS && bytes < MAX_GROUP_BYTES && (next = queue.poll()) != null) {
                group.add(next);
                bytes += next.weight();
            }
            commit(group);
        }
    }

    private void commit(List<WriteOp> group) {
        List<WriteOp> applied = new ArrayList<>(group.size());
        boolean sync = false;
        try (WriteBatch batch = new WriteBatch()) {
            for (WriteOp op : group) {
                try {
                    op.apply(batch);
                    applied.add(op);
                    sync |= op.sync();
                } catch (RuntimeException e) {
                    op.failed(e);
                }
            }
            if (applied.isEmpty()) {
                return;
            }
            store.write(batch, sync);
        } catch (RuntimeException e) {
            log.error("log write failed for a group of {} ops", applied.size(), e);
            applied.forEach(op -> op.failed(e));
            return;
        }
        for (WriteOp op : applied) {
            try {
                op.committed();
            } catch (RuntimeException e) {
                log.error("commit callback failed", e);
            }
        }
    }

    /** Stops accepting ops, commits those already queued, and waits for the thread to end. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        WriteOp late;
        while ((late = queue.poll()) != null) {
            late.failed(new StorageException("the log writer is shut down", null));
        }
    }
}
