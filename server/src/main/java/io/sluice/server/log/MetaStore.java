package io.sluice.server.log;

import io.sluice.server.storage.GroupCommitWriter;
import io.sluice.server.storage.RocksStore;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The metadata keys that services above the log keep (a queue's state, say): read directly from the meta
 * column family, written through the log writer, so that they are ordered with the appends around them and
 * can share a write with one ({@link PartitionLog#append(AppendBatch, MetaWrites)}). Each service owns a key
 * prefix of its own.
 */
public final class MetaStore {
    private final RocksStore store;
    private final GroupCommitWriter writer;

    MetaStore(RocksStore store, GroupCommitWriter writer) {
        this.store = store;
        this.writer = writer;
    }

    /** Every entry whose key starts with {@code prefix}, in key order. Blocking: call on a storage thread. */
    public Map<byte[], byte[]> scan(byte[] prefix) {
        return store.scanMeta(prefix);
    }

    /** One entry's value, or null. Blocking: call on a storage thread. */
    public byte[] get(byte[] key) {
        return store.getMeta(key);
    }

    /** Writes the changes atomically; completes once written (in the write-ahead log). Never blocks. */
    public CompletableFuture<Void> write(MetaWrites writes, boolean sync) {
        MetaOp op = new MetaOp(batch -> writes.applyTo(store, batch), sync);
        writer.submit(op);
        return op.done;
    }
}
