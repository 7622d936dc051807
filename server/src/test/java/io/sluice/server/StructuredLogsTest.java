package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.testing.BrokerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `sluice broker` logs one line per event, as text or as JSON, and its effective configuration once. */
class StructuredLogsTest {
    @TempDir
    Path dir;

    @Test
    void textLogsAreOneTimestampedLinePerEvent() throws Exception {
        List<String> lines = runAndStop("--broker-id", "7");
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line)
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* (TRACE|DEBUG|INFO |WARN |ERROR) \\[.+\\] \\S+ - .*"));
        assertThat(lines.stream().filter(l -> l.contains("Effective configuration: ")))
                .singleElement().satisfies(line -> assertThat(line)
                        .contains("broker.id=7 (flag)", "log.format=text (default)", "metrics.port=0 (flag)",
                                "shutdown.timeout.ms=10000 (default)"));
    }

    @Test
    void jsonLogsAreOneObjectPerLine() throws Exception {
        List<String> lines = runAndStop("--log-format", "json");
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line)
                .startsWith("{").endsWith("}").contains("\"level\":\"", "\"loggerName\":\"", "\"formattedMessage\":\""));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("Effective configuration: ", "log.format=json (flag)"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("Sluice broker listening on 127.0.0.1:"));
    }

    private List<String> runAndStop(String... args) throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("data"), args)) {
            broker.terminate();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> broker.output().stream().anyMatch(line -> line.contains("Sluice broker stopped")));
            return broker.output();
        }
    }
}
