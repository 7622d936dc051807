package io.sluice.loadtest.harness;

import java.util.Locale;

/** Which key each produced record carries: none, uniform over N keys, or Zipf-skewed (a few hot keys). */
public sealed interface KeyDistribution {

    /** Keyless records: the producer spreads batches over partitions round-robin, like Kafka's sticky partitioner. */
    record None() implements KeyDistribution {
        @Override
        public String describe() {
            return "none";
        }
    }

    /** Every one of {@code keys} keys equally likely. */
    record Uniform(int keys) implements KeyDistribution {
        public Uniform {
            if (keys < 1) {
                throw new IllegalArgumentException("uniform keys must be >= 1");
            }
        }

        @Override
        public String describe() {
            return "uniform:" + keys;
        }
    }

    /** Key k (1-based rank) has probability proportional to 1/k^exponent: rank 1 is the hottest key. */
    record Zipf(int keys, double exponent) implements KeyDistribution {
        public Zipf {
            if (keys < 1 || exponent <= 0) {
                throw new IllegalArgumentException("zipf needs keys >= 1 and exponent > 0");
            }
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "zipf:%d:%s", keys, exponent);
        }
    }

    String describe();

    static KeyDistribution none() {
        return new None();
    }

    static KeyDistribution uniform(int keys) {
        return new Uniform(keys);
    }

    static KeyDistribution zipf(int keys, double exponent) {
        return new Zipf(keys, exponent);
    }

    /** Parses {@code none}, {@code uniform:N} or {@code zipf:N[:exponent]} (exponent 1.0 by default). */
    static KeyDistribution parse(String text) {
        String[] parts = text.split(":");
        return switch (parts[0]) {
            case "none" -> none();
            case "uniform" -> uniform(Integer.parseInt(parts[1]));
            case "zipf" -> zipf(Integer.parseInt(parts[1]), parts.length > 2 ? Double.parseDouble(parts[2]) : 1.0);
            default -> throw new IllegalArgumentException("keys: expected none, uniform:N or zipf:N[:s], got " + text);
        };
    }
}
