package io.sluice.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.sluice.loadtest.harness.report.ReportWriter;
import io.sluice.server.SluiceBroker;
import io.sluice.server.config.BrokerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short, bounded scenarios against a real broker: the harness must produce a valid summary.json and report. */
class HarnessTest {
    @TempDir
    static Path dir;
    private static SluiceBroker broker;
    private static BrokerTarget target;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = SluiceBroker.start(BrokerConfig.of(Map.of(BrokerConfig.HOST, "127.0.0.1", BrokerConfig.PORT, "0",
                BrokerConfig.METRICS_PORT, "0", BrokerConfig.DATA_DIR, dir.resolve("data").toString())));
        // In-process broker: its pid is this JVM's, which is good enough to exercise the /proc readings.
        target = BrokerTarget.external("127.0.0.1:" + broker.port(), ProcessHandle.current().pid());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        target.close();
        broker.close();
    }

    @Test
    void open_model_end_to_end_run_writes_a_valid_summary_and_report() throws Exception {
        Scenario scenario = Scenario.endToEnd("it-e2e").partitions(2).keys(KeyDistribution.zipf(100, 1.1))
                .recordSize(100).linger(Duration.ofMillis(2))
                .inject(Injection.constantRate(2000, Duration.ofSeconds(2))).maxRecords(3000)
                .drain(Duration.ofSeconds(20)).build();

        Summary summary = new ScenarioRunner(target, System.err).run(scenario);
        Path runDir = ReportWriter.newRunDir(dir.resolve("reports"), scenario.name());
        Path index = ReportWriter.write(runDir, summary);

        assertThat(runDir.getFileName().toString()).matches("it-e2e-\\d{8}-\\d{6}");
        JsonObject json = JsonParser.parseString(Files.readString(runDir.resolve("summary.json"))).getAsJsonObject();
        assertThat(json.get("scenario").getAsString()).isEqualTo("it-e2e");
        JsonObject records = json.getAsJsonObject("records");
        assertThat(records.get("sent").getAsLong()).isEqualTo(3000); // 2 s x 2000/s, capped by maxRecords
        assertThat(records.get("acked").getAsLong()).isEqualTo(3000);
        assertThat(records.get("consumed").getAsLong()).isEqualTo(3000);
        assertThat(json.getAsJsonObject("errors").size()).isZero();
        assertThat(json.getAsJsonObject("produced").get("recordsPerSecond").getAsDouble()).isBetween(1000.0, 3000.0);
        JsonObject latency = json.getAsJsonObject("latencyMs");
        for (String kind : List.of("publishToAck", "publishToConsumed")) {
            JsonObject l = latency.getAsJsonObject(kind);
            assertThat(l.get("count").getAsLong()).as(kind).isEqualTo(3000);
            assertThat(l.getAsJsonObject("percentiles").get("p99").getAsDouble()).as(kind)
                    .isGreaterThan(0).isLessThanOrEqualTo(l.get("max").getAsDouble());
        }
        assertThat(json.getAsJsonObject("broker").get("cpuSeconds").getAsDouble()).isGreaterThan(0);
        assertThat(json.getAsJsonObject("broker").get("maxRssBytes").getAsLong()).isGreaterThan(0);
        assertThat(json.getAsJsonArray("timeline").size()).isBetween(2, 30);

        String html = Files.readString(index);
        assertThat(html).contains("<svg", "Throughput (records/s)", "Publish → ack latency percentiles",
                "Publish → consumed latency percentiles", "Latency distribution", "99.9");
        assertThat(html).doesNotContain("http://cdn", "https://", "<script src");
    }

    @Test
    void consume_scenario_fills_then_reads_every_record() throws Exception {
        Scenario scenario = Scenario.consume("it-consume").partitions(3).recordSize(64).maxRecords(20_000)
                .credit(1000, 64 * 1024).inject(Injection.closed(2, Duration.ofSeconds(20))).build();

        Summary summary = new ScenarioRunner(target, null).run(scenario);

        assertThat(summary.recordsConsumed()).isEqualTo(20_000);
        assertThat(summary.consumed().recordsPerSecond()).isPositive();
        assertThat(summary.errors()).isEmpty();
    }

    @Test
    void command_line_run_starts_its_own_broker_jvm_and_writes_the_report() throws Exception {
        Path reports = dir.resolve("cli-reports");
        int exit = BenchMain.run(CliOptions.parse(new String[] {"produce", "--records", "50000", "--duration", "10",
                "--partitions", "2", "--acks", "all", "--reports", reports.toString(), "--broker-jvm-opts", "-Xmx256m", "--quiet"}));

        assertThat(exit).isZero();
        try (Stream<Path> runs = Files.list(reports)) {
            Path run = runs.filter(p -> p.getFileName().toString().startsWith("produce-")).findFirst().orElseThrow();
            JsonObject json = JsonParser.parseString(Files.readString(run.resolve("summary.json"))).getAsJsonObject();
            assertThat(json.getAsJsonObject("records").get("acked").getAsLong()).isEqualTo(50_000);
            assertThat(json.getAsJsonObject("broker").get("pid").getAsLong()).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(run.resolve("index.html")).exists();
            assertThat(Files.readString(run.resolve("broker.log"))).contains("listening on");
        }
    }
}
