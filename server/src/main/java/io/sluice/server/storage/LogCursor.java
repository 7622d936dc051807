package io.sluice.server.storage;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/** An iterator over one log's key range, owning its native read options and bounds. */
public final class LogCursor implements AutoCloseable {
    private final RocksIterator iterator;
    private final ReadOptions options;
    private final Slice lower;
    private final Slice upper;

    LogCursor(RocksIterator iterator, ReadOptions options, Slice lower, Slice upper) {
        this.iterator = iterator;
        this.options = options;
        this.lower = lower;
        this.upper = upper;
    }

    /** Positions at the last key at or before {@code key}. */
    public void seekForPrev(byte[] key) {
        iterator.seekForPrev(key);
    }

    public void seek(byte[] key) {
        iterator.seek(key);
    }

    public void seekToFirst() {
        iterator.seekToFirst();
    }

    public void seekToLast() {
        iterator.seekToLast();
    }

    public boolean isValid() {
        return iterator.isValid();
    }

    public void next() {
        iterator.next();
    }

    public byte[] key() {
        return iterator.key();
    }

    public byte[] value() {
        return iterator.value();
    }

    @Override
    public void close() {
        iterator.close();
        options.close();
        lower.close();
        upper.close();
    }
}
