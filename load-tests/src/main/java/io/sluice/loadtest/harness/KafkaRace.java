package io.sluice.loadtest.harness;

import io.sluice.loadtest.harness.report.ReportWriter;
import io.sluice.proto.v1.Acks;
import io.sluice.proto.v1.Compression;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The workloads of ../shared/bench/kafka/bench.sh, run the same way against Sluice: per partition count,
 * a) 2,000,000 x 100 B acks=1, b) the same with acks=all, c) 500,000 x 1 KiB acks=1, d) consume topic (a)
 * back; then e) 10,000 single 100 B records, each sent once the previous one was consumed. Producers:
 * one stream, 64 KiB batches, linger 5 ms, as fast as the window allows (Kafka's --throughput -1).
 * Kafka's acks=1 maps to ACKS_LEADER on a durability=async topic, acks=all to ACKS_ALL.
 * Writes results.tsv (one row per workload, the columns of bench.sh) and one report folder per workload.
 */
final class KafkaRace {
    static final String HEADER = "test\tparts\trecords\tbytes\trec/s\tMB/s\tavg_ms\tp50\tp95\tp99\tp99.9\tmax_ms\tbrkCPU\tcliCPU";
    private static final Duration BOUND = Duration.ofSeconds(600); // bench.sh's TIMEOUT_S per tool run

    private final ScenarioRunner runner;
    private final int divisor;
    private final List<Integer> partitionCounts;
    private final Compression compression;

    /** @param compression every producer's batch codec, as bench.sh's COMPRESSION */
    KafkaRace(ScenarioRunner runner, int divisor, List<Integer> partitionCounts, Compression compression) {
        this.runner = runner;
        this.divisor = divisor;
        this.partitionCounts = List.copyOf(partitionCounts);
        this.compression = compression;
    }

    /** Runs every workload; returns the TSV rows (header first). */
    List<String> run(Path raceDir, PrintStream out) throws IOException, InterruptedException {
        long small = 2_000_000 / divisor;
        long large = 500_000 / divisor;
        long e2e = 10_000 / divisor;
        List<String> rows = new ArrayList<>(List.of(HEADER));
        // bench.sh warms its broker with 500,000 records produced and consumed; so does this.
        runner.run(Scenario.endToEnd("kafka-warmup").maxRecords(500_000 / divisor).compression(compression)
                .inject(Injection.closed(1, BOUND)).build());
        for (int p : partitionCounts) {
            Summary a = record(raceDir, rows, "a produce acks=1", p, 100,
                    producer("kafka-a-p" + p, p, 100, small, Acks.ACKS_LEADER));
            record(raceDir, rows, "b produce acks=all", p, 100, producer("kafka-b-p" + p, p, 100, small, Acks.ACKS_ALL));
            record(raceDir, rows, "c produce 1KiB ack=1", p, 1024, producer("kafka-c-p" + p, p, 1024, large, Acks.ACKS_LEADER));
            record(raceDir, rows, "d consume (topic a)", p, 100, Scenario.consume("kafka-d-p" + p).existingTopic(a.topic())
                    .partitions(p).recordSize(100).maxRecords(small).inject(Injection.closed(1, BOUND)).build());
        }
        record(raceDir, rows, "e end-to-end acks=1", 1, 100, Scenario.endToEnd("kafka-e").partitions(1).recordSize(100)
                .acks(Acks.ACKS_LEADER).batchRecords(1).linger(Duration.ZERO).maxInFlight(1).releaseOnConsume(true)
                .compression(compression)
                .maxRecords(e2e).inject(Injection.closed(1, BOUND)).build());
        Files.write(raceDir.resolve("results.tsv"), rows);
        return rows;
    }

    private Scenario producer(String name, int partitions, int size, long records, Acks acks) {
        return Scenario.produce(name).partitions(partitions).recordSize(size).acks(acks).durability("async")
                .compression(compression)
                .batchSize(65536).linger(Duration.ofMillis(5)).maxInFlight(64)
                .maxRecords(records).inject(Injection.closed(1, BOUND)).build();
    }

    private Summary record(Path raceDir, List<String> rows, String label, int partitions, int size, Scenario scenario)
            throws IOException, InterruptedException {
        Summary s = runner.run(scenario);
        ReportWriter.write(ReportWriter.newRunDir(raceDir, scenario.name()), s);
        rows.add(row(label, partitions, scenario.maxRecords(), size, s));
        return s;
    }

    static String row(String label, int partitions, long records, int size, Summary s) {
        String rate;
        String mbs;
        Summary.Latency l;
        switch (s.workload()) {
            case "CONSUME" -> {
                rate = f0(s.consumed().recordsPerSecond());
                mbs = f2(s.consumed().mbPerSecond());
                l = null;
            }
            case "END_TO_END" -> {
                rate = "-";
                mbs = "-";
                l = s.endToEnd();
            }
            default -> {
                rate = f0(s.produced().recordsPerSecond());
                mbs = f2(s.produced().mbPerSecond());
                l = s.ack();
            }
        }
        long done = s.workload().equals("CONSUME") ? s.recordsConsumed() : s.recordsAcked();
        String lat = l == null || l.count() == 0 ? "-\t-\t-\t-\t-\t-"
                : String.join("\t", f3(l.meanMs()), f3(l.at(50)), f3(l.at(95)), f3(l.at(99)), f3(l.at(99.9)), f3(l.maxMs()));
        return String.join("\t", label, Integer.toString(partitions), Long.toString(done == records ? records : done),
                Integer.toString(size), rate, mbs, lat, f1(s.broker().cpuSeconds()), f1(s.clientCpuSeconds()));
    }

    private static String f0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String f1(double v) {
        return v < 0 ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
