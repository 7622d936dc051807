package io.sluice.loadtest.log;

import io.sluice.server.log.AppendBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Append and read throughput of the partition log (RocksDB + group-commit writer), measured through
 * {@code PartitionLog} without gRPC. Every scenario gets a fresh store in a temp dir, deleted afterwards;
 * every phase is bounded in time and in records. Prints Markdown tables on stdout; see docs/benchmarks.md.
 */
public final class LogBenchmark {
    private LogBenchmark() {
    }

    public static void main(String[] args) throws InterruptedException {
        BenchOptions options = BenchOptions.parse(args);
        System.out.println("# " + options);
        warmUpJvm(options);
        List<String> appendRows = new ArrayList<>();
        List<String> readRows = new ArrayList<>();
        for (Scenario scenario : options.scenarios()) {
            try (BenchLog log = new BenchLog(options.dir(), scenario.partitions())) {
                AppendDriver appends = driver(log, scenario.fsync(), options);
                appends.run(options.scenarioWarmup(), options.maxRecordsPerPhase());
                appendRows.add(ResultTable.appendRow(scenario, appends.run(options.measure(), options.maxRecordsPerPhase())));
                // Reads everything appended, warm-up data included, from offset 0.
                ReadDriver reads = new ReadDriver(log.partitions(), options.bytesPerRead());
                readRows.add(ResultTable.readRow(scenario, reads.readAll(options.readLimit())));
            }
            System.out.println(appendRows.get(appendRows.size() - 1));
            System.out.println(readRows.get(readRows.size() - 1));
        }
        System.out.println();
        System.out.println(ResultTable.appendHeader());
        appendRows.forEach(System.out::println);
        System.out.println();
        System.out.println(ResultTable.readHeader());
        readRows.forEach(System.out::println);
    }

    /** Runs appends and reads on a throwaway store so the JIT has compiled both paths before anything counts. */
    private static void warmUpJvm(BenchOptions options) throws InterruptedException {
        if (options.jvmWarmup().isZero()) {
            return;
        }
        try (BenchLog log = new BenchLog(options.dir(), 8)) {
            driver(log, false, options).run(options.jvmWarmup(), options.maxRecordsPerPhase());
            new ReadDriver(log.partitions(), options.bytesPerRead()).readAll(Duration.ofSeconds(10));
        }
        System.out.println("# JVM warm-up done");
    }

    private static AppendDriver driver(BenchLog log, boolean fsync, BenchOptions options) {
        AppendBatch batch = SampleBatch.create(options.batchRecords(), fsync);
        return new AppendDriver(log.partitions(), batch, options.maxInFlight());
    }
}
