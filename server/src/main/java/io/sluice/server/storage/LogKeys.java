package io.sluice.server.storage;

/**
 * Keys of the log column family: 8 bytes of log id then 8 bytes of base offset, both big-endian, so
 * RocksDB's byte order is (partition, offset) order and one partition's batches are one key range.
 */
public final class LogKeys {
    public static final int LENGTH = 16;

    private LogKeys() {
    }

    public static byte[] key(long logId, long offset) {
        byte[] key = new byte[LENGTH];
        putLong(key, 0, logId);
        putLong(key, 8, offset);
        return key;
    }

    public static long logId(byte[] key) {
        return getLong(key, 0);
    }

    public static long offset(byte[] key) {
        return getLong(key, 8);
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
