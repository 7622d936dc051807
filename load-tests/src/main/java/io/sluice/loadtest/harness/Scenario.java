package io.sluice.loadtest.harness;

import io.sluice.proto.v1.Acks;
import io.sluice.proto.v1.Compression;
import java.time.Duration;
import java.util.Objects;

/**
 * A load scenario, written like a Gatling simulation:
 * <pre>{@code
 * Scenario s = Scenario.produce("orders")
 *         .recordSize(100).keys(KeyDistribution.zipf(10_000, 1.1)).partitions(8)
 *         .acks(Acks.ACKS_LEADER).batchSize(64 * 1024).linger(Duration.ofMillis(5))
 *         .inject(Injection.ramp(10_000, 200_000, Duration.ofSeconds(30)))
 *         .maxRecords(5_000_000).build();
 * }</pre>
 * Every run is bounded twice: {@code maxRecords} and {@code maxDuration} (the injection time plus the
 * drain allowance for the last acknowledgements and consumption).
 *
 * @param topic         topic to use; null: a fresh topic named after the scenario
 * @param createTopic   false: the topic exists already (a consume scenario reading what a produce scenario wrote)
 * @param fillFirst     CONSUME only: produce {@code maxRecords} records (unmeasured) before consuming
 * @param releaseOnConsume END_TO_END only: the producer's window is freed by consumption, not by the ack
 *                      (Kafka's EndToEndLatency: send one record, wait until it is consumed, send the next)
 */
public record Scenario(String name, Workload workload, String topic, boolean createTopic, boolean fillFirst,
                       int partitions, String durability, int recordSize, KeyDistribution keys, Acks acks,
                       int batchBytes, int batchRecords, Duration linger, int maxInFlight, Injection injection,
                       long maxRecords, Duration drain, long warmupRecords, boolean releaseOnConsume,
                       long creditRecords, long creditBytes, Compression compression) {

    public enum Workload { PRODUCE, CONSUME, END_TO_END }

    public Scenario {
        Objects.requireNonNull(name);
        if (!name.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("scenario name must match [a-zA-Z0-9._-]+: " + name);
        }
        if (recordSize < 0 || partitions < 1 || batchBytes < 1 || batchRecords < 1 || maxInFlight < 1 || maxRecords < 1) {
            throw new IllegalArgumentException("record size, partitions, batch, in-flight and max records must be positive");
        }
        if (releaseOnConsume && (workload != Workload.END_TO_END || batchRecords != 1)) {
            throw new IllegalArgumentException("release-on-consume needs an end-to-end scenario with 1-record batches");
        }
        if (workload == Workload.CONSUME && !(injection instanceof Injection.Closed)) {
            throw new IllegalArgumentException("a consume scenario uses the closed model (N consumers)");
        }
    }

    /** Time bound of the whole measured run: injection plus drain. */
    public Duration maxDuration() {
        return injection.duration().plus(drain);
    }

    public String topicName() {
        return topic != null ? topic : "bench-" + name;
    }

    public boolean produces() {
        return workload != Workload.CONSUME;
    }

    public boolean consumes() {
        return workload != Workload.PRODUCE;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder produce(String name) {
        return new Builder(name, Workload.PRODUCE);
    }

    public static Builder consume(String name) {
        return new Builder(name, Workload.CONSUME).fillFirst(true);
    }

    public static Builder endToEnd(String name) {
        return new Builder(name, Workload.END_TO_END);
    }

    /** Defaults follow Kafka's perf tools: 100 B records, no key, acks=1, 64 KiB batches, linger 5 ms. */
    public static final class Builder {
        private String name;
        private Workload workload;
        private String topic;
        private boolean createTopic = true;
        private boolean fillFirst;
        private int partitions = 1;
        private String durability = "async";
        private int recordSize = 100;
        private KeyDistribution keys = KeyDistribution.none();
        private Acks acks = Acks.ACKS_LEADER;
        private int batchBytes = 64 * 1024;
        private int batchRecords = Integer.MAX_VALUE;
        private Duration linger = Duration.ofMillis(5);
        private int maxInFlight = 64;
        private Injection injection = Injection.closed(1, Duration.ofSeconds(60));
        private long maxRecords = 1_000_000;
        private Duration drain = Duration.ofSeconds(30);
        private long warmupRecords;
        private boolean releaseOnConsume;
        private long creditRecords = 100_000;
        private long creditBytes = 16L << 20;
        private Compression compression = Compression.COMPRESSION_NONE;

        private Builder(String name, Workload workload) {
            this.name = name;
            this.workload = workload;
        }

        private Builder(Scenario s) {
            name = s.name; workload = s.workload; topic = s.topic; createTopic = s.createTopic;
            fillFirst = s.fillFirst; partitions = s.partitions; durability = s.durability; recordSize = s.recordSize;
            keys = s.keys; acks = s.acks; batchBytes = s.batchBytes; batchRecords = s.batchRecords; linger = s.linger;
            maxInFlight = s.maxInFlight; injection = s.injection; maxRecords = s.maxRecords; drain = s.drain;
            warmupRecords = s.warmupRecords; releaseOnConsume = s.releaseOnConsume;
            creditRecords = s.creditRecords; creditBytes = s.creditBytes; compression = s.compression;
        }

        public Builder name(String value) { name = value; return this; }
        public Builder topic(String value) { topic = value; return this; }
        /** Read (or write) an existing topic: no create, no fill. */
        public Builder existingTopic(String value) { topic = value; createTopic = false; fillFirst = false; return this; }
        public Builder fillFirst(boolean value) { fillFirst = value; return this; }
        public Builder partitions(int value) { partitions = value; return this; }
        /** Topic durability: {@code async} (WAL, no fsync) or {@code fsync}. */
        public Builder durability(String value) { durability = value; return this; }
        public Builder recordSize(int bytes) { recordSize = bytes; return this; }
        public Builder keys(KeyDistribution value) { keys = value; return this; }
        public Builder acks(Acks value) { acks = value; return this; }
        /** Most RecordSet bytes per batch (Kafka's batch.size). */
        public Builder batchSize(int bytes) { batchBytes = bytes; return this; }
        /** Most records per batch. */
        public Builder batchRecords(int value) { batchRecords = value; return this; }
        public Builder linger(Duration value) { linger = value; return this; }
        /** Batches a producer keeps in flight per stream (the broker's produce.max.in.flight is 64). */
        public Builder maxInFlight(int value) { maxInFlight = value; return this; }
        public Builder inject(Injection value) { injection = value; return this; }
        public Builder maxRecords(long value) { maxRecords = value; return this; }
        /** Extra time after injection for the last acks and consumption. */
        public Builder drain(Duration value) { drain = value; return this; }
        /** Records produced and consumed on a throwaway topic first, not measured (JIT warm-up). */
        public Builder warmupRecords(long value) { warmupRecords = value; return this; }
        public Builder releaseOnConsume(boolean value) { releaseOnConsume = value; return this; }
        /** Consumer window: records and bytes of credit outstanding. */
        public Builder credit(long records, long bytes) { creditRecords = records; creditBytes = bytes; return this; }

        /** Batch codec; the batch size limit applies before compression. */
        public Builder compression(Compression value) { compression = value; return this; }

        public Scenario build() {
            return new Scenario(name, workload, topic, createTopic, fillFirst, partitions, durability, recordSize, keys,
                    acks, batchBytes, batchRecords, linger, maxInFlight, injection, maxRecords, drain, warmupRecords,
                    releaseOnConsume, creditRecords, creditBytes, compression);
        }
    }
}
