package io.sluice.loadtest.harness;

import io.sluice.proto.Murmur2;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws keys for one producer thread. Keys and their Kafka (murmur2) partitions are computed once up
 * front, so a draw costs a random number and, for Zipf, a binary search.
 */
final class KeySource {
    private final byte[][] keys;
    private final int[] partitions;
    private final double[] zipfCdf; // null unless Zipf
    private final SplittableRandom random;

    private KeySource(byte[][] keys, int[] partitions, double[] zipfCdf, long seed) {
        this.keys = keys;
        this.partitions = partitions;
        this.zipfCdf = zipfCdf;
        this.random = new SplittableRandom(seed);
    }

    /** Null for keyless records. */
    static KeySource create(KeyDistribution distribution, int topicPartitions, long seed) {
        // Java 17: no pattern matching in switch yet.
        int count;
        double[] cdf = null;
        if (distribution instanceof KeyDistribution.Uniform uniform) {
            count = uniform.keys();
        } else if (distribution instanceof KeyDistribution.Zipf zipf) {
            count = zipf.keys();
            cdf = zipfCdf(count, zipf.exponent());
        } else {
            return null;
        }
        byte[][] keys = new byte[count][];
        int[] partitions = new int[count];
        for (int i = 0; i < count; i++) {
            keys[i] = String.format("key-%08d", i).getBytes(StandardCharsets.US_ASCII);
            partitions[i] = Murmur2.partition(keys[i], topicPartitions);
        }
        return new KeySource(keys, partitions, cdf, seed);
    }

    private static double[] zipfCdf(int count, double exponent) {
        double[] cdf = new double[count];
        double sum = 0;
        for (int rank = 1; rank <= count; rank++) {
            sum += 1.0 / Math.pow(rank, exponent);
            cdf[rank - 1] = sum;
        }
        for (int i = 0; i < count; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    /** Index of the next key. */
    int next() {
        if (zipfCdf == null) {
            return random.nextInt(keys.length);
        }
        int at = Arrays.binarySearch(zipfCdf, random.nextDouble());
        return Math.min(at >= 0 ? at : -at - 1, keys.length - 1);
    }

    byte[] key(int index) {
        return keys[index];
    }

    int partition(int index) {
        return partitions[index];
    }
}
