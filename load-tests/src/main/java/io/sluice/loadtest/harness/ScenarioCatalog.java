package io.sluice.loadtest.harness;

import io.sluice.proto.v1.Acks;
import io.sluice.proto.v1.Compression;
import java.time.Duration;
import java.util.Locale;

/**
 * The scenarios {@code sluice-bench} knows by name, with command-line overrides. Writing a new one in
 * Java is a matter of the {@link Scenario} builder; this is the command-line face of it.
 */
final class ScenarioCatalog {
    static final String HELP = """
            scenarios:
              produce      producers only                    (default: closed, 1 producer, 1,000,000 x 100 B)
              consume      fill a topic (not measured), then consumers read it from the start
              e2e          produce and consume at once: publish -> ack and publish -> consumed latencies
              kafka-race   the Kafka baseline's workloads a-e (see docs/benchmarks.md); options: --quick, --partitions-list "1 8"
              group        fill a topic, then a consumer group reads it: join, throughput, rebalance on leave
                           (default: 4 members, 8 partitions, 2,000,000 x 100 B, 500,000 warm-up records;
                           --members N, --partitions N, --records N, --record-size B, --warmup-records N,
                           --session-timeout-ms MS, --duration S bound, --drain S stall; --quick: counts / 20;
                           --tsv: a results.tsv row on stdout, the table on stderr)
            options (defaults follow Kafka's perf tools):
              --records N          bound on records (default 1000000)
              --duration S         injection time in seconds (default 60); the run also gets --drain S (default 30) to finish
              --record-size B      value bytes (default 100)
              --keys K             none | uniform:N | zipf:N[:exponent] (default none)
              --partitions N       (default 1)      --durability async|fsync (default async)
              --acks A             none | leader (=1) | all (default leader)
              --compression C      none | gzip | lz4 | zstd | snappy batch codec (default none)
              --batch-size B       RecordSet bytes per batch (default 65536)   --batch-records N (default unlimited)
              --linger-ms MS       (default 5)      --max-in-flight N  batches per producer stream (default 64)
              open model:   --rate R | --ramp A:B | --spike BASE:PEAK:AT_S:LENGTH_S     (records/s over --duration)
              closed model: --producers N | --consumers N   (default 1)
              --warmup-records N   produced and consumed first on a throwaway topic, not measured (default 0)
              --topic T            consume: read this existing topic instead of filling a new one
              --bootstrap H:P      use a running broker (loopback) instead of starting one; --broker-pid P for its CPU/RSS
              --broker-jvm-opts S  JVM options of the started broker (default "-Xmx256m", as bin/sluice broker)
              --reports DIR        where run folders go (default load-tests/target/reports)
              --quiet              no progress lines
            """;

    private ScenarioCatalog() {
    }

    static Scenario fromOptions(String name, CliOptions o) {
        Scenario.Builder b = switch (name) {
            case "produce" -> Scenario.produce(name);
            case "consume" -> Scenario.consume(name);
            case "e2e", "end-to-end" -> Scenario.endToEnd(name);
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "'\n" + HELP);
        };
        String topic = o.get("topic");
        if (topic != null) {
            b.existingTopic(topic);
        }
        b.maxRecords(Long.parseLong(o.get("records", "1000000")))
                .recordSize(Integer.parseInt(o.get("record-size", "100")))
                .keys(KeyDistribution.parse(o.get("keys", "none")))
                .partitions(Integer.parseInt(o.get("partitions", "1")))
                .durability(o.get("durability", "async"))
                .acks(acks(o.get("acks", "leader")))
                .compression(compression(o.get("compression", "none")))
                .batchSize(Integer.parseInt(o.get("batch-size", "65536")))
                .batchRecords(Integer.parseInt(o.get("batch-records", Integer.toString(Integer.MAX_VALUE))))
                .linger(Duration.ofMillis(Long.parseLong(o.get("linger-ms", "5"))))
                .maxInFlight(Integer.parseInt(o.get("max-in-flight", "64")))
                .warmupRecords(Long.parseLong(o.get("warmup-records", "0")))
                .drain(Duration.ofSeconds(Long.parseLong(o.get("drain", "30"))));
        b.inject(injection(o, Duration.ofSeconds(Long.parseLong(o.get("duration", "60")))));
        return b.build();
    }

    /** The {@code group} scenario's settings; the defaults are the Kafka group comparison's. */
    static GroupRun.Settings groupSettings(CliOptions o) {
        int divisor = o.flag("quick") ? 20 : 1;
        Scenario defaults = Scenario.consume("defaults").build();
        return new GroupRun.Settings(Long.parseLong(o.get("records", Long.toString(2_000_000 / divisor))),
                Integer.parseInt(o.get("record-size", "100")),
                Integer.parseInt(o.get("partitions", "8")),
                Integer.parseInt(o.get("members", "4")),
                Long.parseLong(o.get("warmup-records", Long.toString(500_000 / divisor))),
                Duration.ofSeconds(Long.parseLong(o.get("duration", "600"))),
                Duration.ofSeconds(Long.parseLong(o.get("drain", "30"))),
                Integer.parseInt(o.get("session-timeout-ms", "0")),
                defaults.creditRecords(), defaults.creditBytes());
    }

    private static Injection injection(CliOptions o, Duration duration) {
        String rate = o.get("rate");
        String ramp = o.get("ramp");
        String spike = o.get("spike");
        String producers = o.get("producers");
        String consumers = o.get("consumers");
        if (rate != null) {
            return Injection.constantRate(Double.parseDouble(rate), duration);
        }
        if (ramp != null) {
            String[] r = ramp.split(":");
            return Injection.ramp(Double.parseDouble(r[0]), Double.parseDouble(r[1]), duration);
        }
        if (spike != null) {
            String[] s = spike.split(":");
            return Injection.spike(Double.parseDouble(s[0]), Double.parseDouble(s[1]), duration,
                    Duration.ofMillis((long) (Double.parseDouble(s[2]) * 1000)), Duration.ofMillis((long) (Double.parseDouble(s[3]) * 1000)));
        }
        int n = Integer.parseInt(producers != null ? producers : consumers != null ? consumers : "1");
        return Injection.closed(n, duration);
    }

    static Compression compression(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> Compression.COMPRESSION_NONE;
            case "gzip" -> Compression.COMPRESSION_GZIP;
            case "lz4" -> Compression.COMPRESSION_LZ4;
            case "zstd" -> Compression.COMPRESSION_ZSTD;
            case "snappy" -> Compression.COMPRESSION_SNAPPY;
            default -> throw new IllegalArgumentException("compression: none, gzip, lz4, zstd or snappy, got " + text);
        };
    }

    static Acks acks(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "none", "0" -> Acks.ACKS_NONE;
            case "leader", "1" -> Acks.ACKS_LEADER;
            case "all", "-1" -> Acks.ACKS_ALL;
            default -> throw new IllegalArgumentException("acks: none, leader (1) or all, got " + text);
        };
    }
}
