package io.sluice.server.log;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.v1.Compression;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.error.SluiceException;
import io.sluice.server.storage.LogKeys;
import io.sluice.server.storage.RocksStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.WriteBatch;

/**
 * The key index of a compacted log (cleanup.policy=compact): record key → offset of the key's latest record,
 * kept in the log's own column family under {@code FF 'k' <key>} (see {@link LogKeys}).
 *
 * <p>Why this design: the entry is put in the same WriteBatch as the batch that holds the record, so index
 * and data can never disagree after a crash, and the latest record of a key is one point lookup away (a
 * memtable or bloom-filtered SST read) instead of a scan of the whole log into an offset map, as Kafka's
 * cleaner does. Keys are taken out of the batch before it is queued (decompressing it if needed), so the
 * single writer thread only adds puts. Only compacted logs pay for it. Compaction keeps a record only if
 * the index names its offset; an expired tombstone's entry is deleted with it, on the writer thread.
 */
final class KeyIndex {
    private KeyIndex() {
    }

    /** Each record's key, in order; null for a record without one. */
    static List<byte[]> keysOf(ByteString records, Compression compression) {
        List<byte[]> keys = new ArrayList<>();
        for (Record record : decode(records, compression)) {
            keys.add(record.hasKey() ? record.getKey().toByteArray() : null);
        }
        return keys;
    }

    static List<Record> decode(ByteString records, Compression compression) {
        try {
            return RecordSet.parseFrom(BatchCodec.decompress(compression, records)).getRecordsList();
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new SluiceException(ErrorCode.INVALID_BATCH, "Batch records are not a valid RecordSet: " + e.getMessage());
        }
    }

    /** Adds the index entries of a batch appended at {@code baseOffset}; later records of a key win. */
    static void put(RocksStore store, WriteBatch batch, long logId, List<byte[]> keys, long baseOffset) {
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i) != null) {
                store.putLog(batch, logId, LogKeys.keyIndexKey(keys.get(i)), LogKeys.longValue(baseOffset + i));
            }
        }
    }

    /** The offset of the key's latest record, or -1 if the index has none. */
    static long latest(RocksStore store, long logId, byte[] key) {
        byte[] value = store.getLog(logId, LogKeys.keyIndexKey(key));
        return value == null ? -1 : LogKeys.longValue(value);
    }

    /** Deletes the key's entry if it still names {@code offset}. Writer thread only. */
    static void deleteIfLatest(RocksStore store, WriteBatch batch, long logId, ByteBuffer key, long offset) {
        byte[] k = Arrays.copyOfRange(key.array(), key.arrayOffset() + key.position(), key.arrayOffset() + key.limit());
        if (latest(store, logId, k) == offset) {
            store.deleteLog(batch, logId, LogKeys.keyIndexKey(k));
        }
    }
}
