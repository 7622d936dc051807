package io.sluice.proto;

/**
 * Part of the contract, shared by the broker and the Java client: the 32-bit MurmurHash2 variant that Kafka's default partitioner uses (seed 0x9747b28c), so a keyed
 * record lands on the partition number it would get in Kafka.
 */
public final class Murmur2 {
    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur2() {
    }

    public static int hash(byte[] data) {
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
        switch (length - tail) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= M;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }

    /** Kafka's partition for a key: the hash made non-negative by masking the sign bit, modulo the count. */
    public static int partition(byte[] key, int partitions) {
        return (hash(key) & 0x7fffffff) % partitions;
    }
}
