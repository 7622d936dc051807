package io.sluice.server.log;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * One partition's append-only log. The services see only this: whether the log is a local RocksDB
 * range or a replicated one is hidden behind it.
 */
public interface PartitionLog {

    TopicPartition id();

    /** The first offset still stored. */
    long startOffset();

    /** The offset the next appended record will get: every offset below it is readable. */
    long highWatermark();

    /** Approximate bytes stored. Asks storage: call only on a storage thread. */
    long sizeBytes();

    /** Bytes of the batches stored, tracked in memory: cheap, on any thread (approximate after a restart). */
    long storedBytes();

    /**
     * Appends a batch; the Mono completes once it is durable per {@link AppendBatch#fsync()}. Never
     * blocks the caller. Appends from one caller are ordered as they were made. A batch larger than the
     * topic's max.batch.bytes fails with INVALID_BATCH.
     */
    Mono<AppendResult> append(AppendBatch batch);

    /**
     * Appends a batch as {@link #append(AppendBatch)} does, and writes {@code alongside} in the same atomic
     * write: after a crash both or neither are stored (a queue's move of records to its dead-letter topic
     * together with their removal from the queue). Nothing is written for an idempotent producer's duplicate.
     */
    Mono<AppendResult> append(AppendBatch batch, MetaWrites alongside);

    /**
     * Reads whole batches starting with the one that holds {@code fromOffset}, until {@code maxBytes} of
     * payload or {@code maxRecords} records are collected; always at least one batch if any exists at or
     * after {@code fromOffset}. Blocking: call only on a storage read thread.
     */
    LogReadResult read(long fromOffset, long maxBytes, long maxRecords);

    /**
     * The offset of the first record whose timestamp is at or after {@code timestampMs}, or the high
     * watermark if there is none. Blocking: call only on a storage read thread.
     */
    long offsetForTimestamp(long timestampMs);

    /** Whether the log's topic was deleted: nothing more will be appended or read. */
    boolean deleted();

    /** Runs {@code listener} after each append becomes readable, until the returned handle is disposed. */
    Disposable onAppend(Runnable listener);
}
