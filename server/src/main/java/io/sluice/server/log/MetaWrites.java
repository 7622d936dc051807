package io.sluice.server.log;

import io.sluice.server.storage.RocksStore;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.WriteBatch;

/**
 * Puts and deletes of metadata keys, written atomically: alone ({@link MetaStore#write}) or in the same write
 * as an append ({@link PartitionLog#append(AppendBatch, MetaWrites)}). Applied in the order added. Immutable.
 */
public final class MetaWrites {
    public static final MetaWrites NONE = new MetaWrites(List.of());

    /** A put, or a delete when {@code value} is null. */
    private record Change(byte[] key, byte[] value) {
    }

    private final List<Change> changes;

    private MetaWrites(List<Change> changes) {
        this.changes = changes;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** Adds the changes to {@code batch}. Runs on the log writer thread. */
    void applyTo(RocksStore store, WriteBatch batch) {
        for (Change change : changes) {
            if (change.value() == null) {
                store.deleteMeta(batch, change.key());
            } else {
                store.putMeta(batch, change.key(), change.value());
            }
        }
    }

    public static final class Builder {
        private final List<Change> changes = new ArrayList<>();

        public Builder put(byte[] key, byte[] value) {
            changes.add(new Change(key.clone(), value.clone()));
            return this;
        }

        public Builder delete(byte[] key) {
            changes.add(new Change(key.clone(), null));
            return this;
        }

        public boolean isEmpty() {
            return changes.isEmpty();
        }

        public MetaWrites build() {
            return changes.isEmpty() ? NONE : new MetaWrites(List.copyOf(changes));
        }
    }
}
