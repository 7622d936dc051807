package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real process, as bin/sluice starts it: exit codes from System.exit, and no log noise on the streams. */
class SluiceMainTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run sluice(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SluiceCli.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void produceAndConsumeAsProcessesPrintOnlyWhatTheyShould(@TempDir Path dir) throws Exception {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            String bootstrap = fixture.bootstrap();
            assertThat(new Cli(java.util.Map.of()).run("topics", "create", "proc", "--bootstrap", bootstrap).exit()).isZero();
            Run produced = sluice("k1=v1\nk2=v2\n", "produce", "--topic", "proc", "--key-separator", "=", "--bootstrap", bootstrap);
            assertThat(produced.exit()).as(produced.err()).isZero();
            assertThat(produced.out()).isEmpty();
            assertThat(produced.err()).startsWith("Produced 2 records").hasLineCount(1);
            Run consumed = sluice("", "consume", "--topic", "proc", "--from", "beginning", "--max", "2", "--print-key",
                    "--bootstrap", bootstrap);
            assertThat(consumed.exit()).as(consumed.err()).isZero();
            assertThat(consumed.out()).isEqualTo("k1\tv1\nk2\tv2\n");
            assertThat(consumed.err()).isEmpty();
        }
    }

    @Test
    void brokerDownExitsNonZeroWithOneLine(@TempDir Path dir) throws Exception {
        int port;
        try (BrokerFixture gone = BrokerFixture.start(dir)) {
            port = gone.port();
        }
        Run down = sluice("", "topics", "list", "--bootstrap", "127.0.0.1:" + port, "--retry-for", "200ms");
        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.out()).isEmpty();
        assertThat(down.err()).startsWith("sluice topics list: cannot reach the broker at 127.0.0.1:" + port).hasLineCount(1);
    }
}
