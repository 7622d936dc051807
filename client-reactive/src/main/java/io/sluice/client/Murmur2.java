package io.sluice.client;

/**
 * The 32-bit MurmurHash2 variant of Kafka's default partitioner (seed 0x9747b28c), so keyed records land
 * on the partition they would get in Kafka (and that the broker picks itself for keyed batches).
 */
final class Murmur2 {
    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur2() {
    }

    static int hash(byte[] data) {
        int length = data.length;
        int h = SEED ^ length;
        int blocks = length / 4;
        for (int i = 0; i < blocks; i++) {
            int at = i * 4;
            int k = (data[at] & 0xff) | ((data[at + 1] & 0xff) << 8) | ((data[at + 2] & 0xff) << 16)
                    | ((data[at + 3] & 0xff) << 24);
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        int tail = blocks * 4;
        int left = length - tail;
        if (left == 3) {
            h ^= (data[tail + 2] & 0xff) << 16;
        }
        if (left >= 2) {
            h ^= (data[tail + 1] & 0xff) << 8;
        }
        if (left >= 1) {
            h ^= data[tail] & 0xff;
            h *= M;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }

    /** Kafka's partition for a key: the hash with its sign bit masked off, modulo the partition count. */
    static int partition(byte[] key, int partitions) {
        return (hash(key) & 0x7fffffff) % partitions;
    }
}
