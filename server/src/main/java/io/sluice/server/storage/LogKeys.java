package io.sluice.server.storage;

/**
 * Keys of a log's column family. Batches are keyed by 8 bytes of log id then 8 bytes of base offset, both
 * big-endian, so RocksDB's byte order is offset order and the batches are one key range.
 *
 * <p>The log's own metadata lives in the same column family (so it is written in the same WriteBatch as the
 * batches it describes, and dropped with them), under keys that start with {@link #META} (0xFF). A log id's
 * first byte is the top byte of its topic id, which never reaches 0xFF, so every metadata key sorts after
 * every batch key, outside any batch cursor's bounds:
 * <ul>
 *   <li>{@code FF 's'}: the log start offset, once retention advanced it (8 bytes);</li>
 *   <li>{@code FF 't' <max timestamp so far> <base offset>}: the time index, empty values;</li>
 *   <li>{@code FF 'k' <record key>}: the key index of compacted logs, the key's latest offset (8 bytes);</li>
 *   <li>{@code FF 'p' <producer id>}: an idempotent producer's last batches on this partition.</li>
 * </ul>
 */
public final class LogKeys {
    public static final int LENGTH = 16;
    static final byte META = (byte) 0xFF;
    private static final byte START = 's';
    private static final byte TIME = 't';
    private static final byte KEY = 'k';
    private static final byte PRODUCER = 'p';

    private LogKeys() {
    }

    public static byte[] key(long logId, long offset) {
        byte[] key = new byte[LENGTH];
        putLong(key, 0, logId);
        putLong(key, 8, offset);
        return key;
    }


    public static long offset(byte[] key) {
        return getLong(key, 8);
    }

    /** Whether a log id fits below the metadata namespace. */
    public static boolean validLogId(long logId) {
        return (byte) (logId >>> 56) != META;
    }

    /** The key of the persisted log start offset. */
    public static byte[] startOffsetKey() {
        return new byte[] {META, START};
    }

    /** A time index entry: the running maximum timestamp reached at the batch at {@code baseOffset}. */
    public static byte[] timeIndexKey(long maxTimestampSoFar, long baseOffset) {
        byte[] key = new byte[2 + 16];
        key[0] = META;
        key[1] = TIME;
        // Flipping the sign bit makes big-endian byte order the signed numeric order.
        putLong(key, 2, maxTimestampSoFar ^ Long.MIN_VALUE);
        putLong(key, 10, baseOffset);
        return key;
    }

    /** The first possible time index key. */
    public static byte[] timeIndexStart() {
        return new byte[] {META, TIME};
    }

    /** Just past the last possible time index key. */
    public static byte[] timeIndexEnd() {
        return new byte[] {META, TIME + 1};
    }

    public static long timeIndexTimestamp(byte[] key) {
        return getLong(key, 2) ^ Long.MIN_VALUE;
    }

    public static long timeIndexOffset(byte[] key) {
        return getLong(key, 10);
    }

    /** A key index entry for a record key. */
    public static byte[] keyIndexKey(byte[] recordKey) {
        byte[] key = new byte[2 + recordKey.length];
        key[0] = META;
        key[1] = KEY;
        System.arraycopy(recordKey, 0, key, 2, recordKey.length);
        return key;
    }

    public static byte[] keyIndexStart() {
        return new byte[] {META, KEY};
    }

    public static byte[] keyIndexEnd() {
        return new byte[] {META, KEY + 1};
    }

    /** The record key of a key index entry. */
    public static byte[] keyIndexRecordKey(byte[] key) {
        byte[] out = new byte[key.length - 2];
        System.arraycopy(key, 2, out, 0, out.length);
        return out;
    }

    /** An idempotent producer's state entry. */
    public static byte[] producerKey(long producerId) {
        byte[] key = new byte[2 + 8];
        key[0] = META;
        key[1] = PRODUCER;
        putLong(key, 2, producerId);
        return key;
    }

    public static byte[] producerStart() {
        return new byte[] {META, PRODUCER};
    }

    public static byte[] producerEnd() {
        return new byte[] {META, PRODUCER + 1};
    }

    public static long producerId(byte[] key) {
        return getLong(key, 2);
    }

    public static byte[] longValue(long v) {
        byte[] out = new byte[8];
        putLong(out, 0, v);
        return out;
    }

    public static long longValue(byte[] value) {
        return getLong(value, 0);
    }

    private static void putLong(byte[] out, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            out[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] in, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (in[at + i] & 0xFF);
        }
        return v;
    }
}
