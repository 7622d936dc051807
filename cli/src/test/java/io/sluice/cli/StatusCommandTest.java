package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {
    @TempDir
    Path dir;

    @Test
    void statusPrintsVersionUptimeTopicsStreamsAndDisk() {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            Cli cli = new Cli(Map.of("SLUICE_BOOTSTRAP", fixture.bootstrap()));
            assertThat(cli.run("topics", "create", "clicks", "--partitions", "3").exit()).isZero();

            Cli.Result status = cli.run("status");
            assertThat(status.exit()).as(status.toString()).isZero();
            assertThat(status.err()).isEmpty();
            assertThat(status.out()).containsPattern("(?m)^broker +0 at 127\\.0\\.0\\.1:" + fixture.port() + " \\(serving\\)$")
                    .containsPattern("(?m)^version +\\d+\\.\\d+\\.\\d+\\S*$")
                    .containsPattern("(?m)^uptime +(\\d+[dhm] )*\\d+s$")
                    .containsPattern("(?m)^topics +1 \\(3 partitions\\)$")
                    .containsPattern("(?m)^streams +consumer 0, producer 0$")
                    .containsPattern("(?m)^disk +\\d+(\\.\\d)? (B|KiB|MiB|GiB) used in " + java.util.regex.Pattern.quote(
                            dir.toAbsolutePath().toString()) + ", .+ free$");
        }
    }

    @Test
    void anUnreachableBrokerIsOneLineOnStderr() {
        Cli.Result status = new Cli(Map.of()).run("status", "--bootstrap", "127.0.0.1:1", "--retry-for", "0s");
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.err()).startsWith("sluice status: cannot reach the broker at 127.0.0.1:1").hasLineCount(1);
    }

    @Test
    void uptimeLeavesOutLeadingZeroUnits() {
        assertThat(StatusCommand.uptime(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(StatusCommand.uptime(Duration.ofSeconds(3600 + 2))).isEqualTo("1h 0m 2s");
        assertThat(StatusCommand.uptime(Duration.ofDays(2).plusMinutes(3))).isEqualTo("2d 0h 3m 0s");
    }
}
