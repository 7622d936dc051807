package io.sluice.loadtest.harness;

import io.sluice.loadtest.harness.report.ConsoleReport;
import io.sluice.loadtest.harness.report.ReportWriter;
import io.sluice.proto.v1.Compression;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/sluice-bench SCENARIO [options]}: starts a broker in its own JVM on loopback (unless
 * {@code --bootstrap}), runs the scenario with a progress line per second on stderr, then prints a
 * summary and writes the report folder. Exit code 1 on bad usage or a failed run, 0 otherwise.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        CliOptions options;
        try {
            options = CliOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("sluice-bench: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (options.scenario() == null || options.flag("help")) {
            System.err.println("usage: bin/sluice-bench SCENARIO [options]\n" + ScenarioCatalog.HELP);
            System.exit(options.scenario() == null && !options.flag("help") ? 1 : 0);
            return;
        }
        try {
            System.exit(run(options));
        } catch (IllegalArgumentException e) {
            System.err.println("sluice-bench: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(CliOptions options) throws Exception {
        Path reports = Path.of(options.get("reports", System.getProperty("sluice.bench.reports", "load-tests/target/reports")));
        boolean quiet = options.flag("quiet");
        String bootstrap = options.get("bootstrap");
        long brokerPid = Long.parseLong(options.get("broker-pid", "-1"));
        List<String> jvmOptions = Arrays.asList(options.get("broker-jvm-opts", "-Xmx256m").trim().split("\\s+"));
        String name = options.scenario();
        if (name.equals("kafka-race")) {
            int divisor = options.flag("quick") ? 20 : 1;
            List<Integer> partitions = Arrays.stream(options.get("partitions-list", "1 8").trim().split("[\\s,]+"))
                    .map(Integer::parseInt).toList();
            Compression compression = ScenarioCatalog.compression(options.get("compression", "none"));
            options.checkAllRead();
            Path dir = ReportWriter.newRunDir(reports, name);
            try (BrokerTarget target = target(bootstrap, brokerPid, jvmOptions, dir)) {
                List<String> rows = new KafkaRace(new ScenarioRunner(target, quiet ? null : System.err), divisor, partitions, compression)
                        .run(dir, System.err);
                rows.forEach(System.out::println);
                System.err.println("results: " + dir.resolve("results.tsv").toAbsolutePath());
            }
            return 0;
        }
        if (name.equals("group")) {
            return runGroup(options, reports, quiet, bootstrap, brokerPid, jvmOptions);
        }
        Scenario scenario = ScenarioCatalog.fromOptions(name, options);
        options.checkAllRead();
        Path dir = ReportWriter.newRunDir(reports, scenario.name());
        Summary summary;
        try (BrokerTarget target = target(bootstrap, brokerPid, jvmOptions, dir)) {
            summary = new ScenarioRunner(target, quiet ? null : System.err).run(scenario);
        }
        Path index = ReportWriter.write(dir, summary);
        System.out.print(ConsoleReport.render(summary));
        System.out.println("report: " + index.toAbsolutePath());
        boolean complete = summary.errors().isEmpty() && summary.recordsAcked() + summary.recordsConsumed() > 0;
        return complete ? 0 : 1;
    }

    /** The consumer group scenario: the table on stdout, or with --tsv a results.tsv row (and the table on stderr). */
    private static int runGroup(CliOptions options, Path reports, boolean quiet, String bootstrap, long brokerPid,
                                List<String> jvmOptions) throws Exception {
        GroupRun.Settings settings = ScenarioCatalog.groupSettings(options);
        boolean tsv = options.flag("tsv");
        options.checkAllRead();
        Path dir = ReportWriter.newRunDir(reports, "group");
        GroupResult result;
        try (BrokerTarget target = target(bootstrap, brokerPid, jvmOptions, dir)) {
            result = new GroupRun(target, quiet ? null : System.err).run(settings);
        }
        java.nio.file.Files.write(dir.resolve("results.tsv"), List.of(GroupResult.TSV_HEADER, result.tsvRow()));
        java.nio.file.Files.writeString(dir.resolve("summary.txt"), result.table());
        if (tsv) {
            System.err.print(result.table());
            System.out.println(GroupResult.TSV_HEADER);
            System.out.println(result.tsvRow());
        } else {
            System.out.print(result.table());
        }
        System.err.println("results: " + dir.resolve("results.tsv").toAbsolutePath());
        return result.complete() ? 0 : 1;
    }

    private static BrokerTarget target(String bootstrap, long pid, List<String> jvmOptions, Path dir) throws Exception {
        if (bootstrap != null) {
            return BrokerTarget.external(bootstrap, pid);
        }
        BrokerJvm broker = BrokerJvm.start(jvmOptions, List.of(), dir.resolve("broker.log"));
        // Ctrl-C or timeout(1) must not leave the broker JVM and its data behind; close() is idempotent.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }, "sluice-bench-broker-stop"));
        System.err.println(">> broker JVM pid " + broker.pid() + " on 127.0.0.1:" + broker.port() + " (log: " + dir.resolve("broker.log") + ")");
        return BrokerTarget.ownJvm(broker);
    }
}
