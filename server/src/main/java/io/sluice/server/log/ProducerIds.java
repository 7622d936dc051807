package io.sluice.server.log;

import io.sluice.server.storage.GroupCommitWriter;
import io.sluice.server.storage.RocksStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Hands out idempotent producer ids: unique on this broker, never reused, the counter kept durably. */
public final class ProducerIds {
    private static final byte[] NEXT_PRODUCER_ID = "next.producer.id".getBytes(StandardCharsets.UTF_8);
    /** Ids are reserved in blocks, so handing one out rarely costs a synced write. */
    private static final long BLOCK = 1000;

    private final RocksStore store;
    private final GroupCommitWriter writer;
    private long next;
    private long reservedUpTo;

    public ProducerIds(RocksStore store, GroupCommitWriter writer) {
        this.store = store;
        this.writer = writer;
        byte[] persisted = store.getMeta(NEXT_PRODUCER_ID);
        // Ids below the persisted mark may have been handed out before a crash: start after it.
        this.next = persisted == null ? 1 : ByteBuffer.wrap(persisted).getLong();
        this.reservedUpTo = next;
    }

    /** A new producer id. Blocks on a synced metadata write once per block of ids: call off the gRPC threads. */
    public synchronized long next() {
        if (next >= reservedUpTo) {
            long mark = next + BLOCK;
            MetaOp op = new MetaOp(batch -> store.putMeta(batch, NEXT_PRODUCER_ID, ByteBuffer.allocate(8).putLong(mark).array()), true);
            writer.submit(op);
            op.done.join();
            reservedUpTo = mark;
        }
        return next++;
    }
}
