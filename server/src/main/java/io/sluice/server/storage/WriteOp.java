package io.sluice.server.storage;

import org.rocksdb.WriteBatch;

/** One unit of work for the {@link GroupCommitWriter}; every method runs on the writer thread. */
public interface WriteOp {
    /** Adds this op's writes to the group's batch. Throwing fails this op alone. */
    void apply(WriteBatch batch);

    /** Whether the group holding this op must be synced to disk before it counts as committed. */
    boolean sync();

    /** Approximate bytes this op adds, to bound a group's size. */
    int weight();

    /** The group was written. */
    void committed();

    /** The op was not written; {@link #apply} never ran or its group failed. */
    void failed(RuntimeException cause);
}
