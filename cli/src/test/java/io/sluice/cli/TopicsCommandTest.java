package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TopicsCommandTest {
    BrokerFixture fixture;
    Cli cli;

    @BeforeAll
    void start(@TempDir Path dir) {
        fixture = BrokerFixture.start(dir);
        // The bootstrap comes from the environment, as in a shell with SLUICE_BOOTSTRAP exported.
        cli = new Cli(Map.of("SLUICE_BOOTSTRAP", fixture.bootstrap()));
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @Test
    void createListDescribeAlterDelete() {
        Cli.Result created = cli.run("topics", "create", "clicks", "--partitions", "3", "--config", "retention.ms=60000",
                "--config", "durability=fsync");
        assertThat(created.exit()).as(created.toString()).isZero();
        assertThat(created.out()).isEqualTo("Created topic clicks with 3 partitions.\n");
        assertThat(created.err()).isEmpty();
        assertThat(cli.run("topics", "create", "views").exit()).isZero();

        Cli.Result listed = cli.run("topics", "list");
        assertThat(listed.exit()).isZero();
        // Other tests share the broker: their topics may be listed too, all sorted by name.
        assertThat(listed.out().lines().toList()).contains("clicks", "views").isSorted();

        Cli.Result described = cli.run("topics", "describe", "clicks");
        assertThat(described.exit()).as(described.toString()).isZero();
        assertThat(described.out()).startsWith("Topic: clicks\tPartitions: 3\n")
                .contains("PARTITION", "START-OFFSET", "END-OFFSET", "SIZE-BYTES")
                .containsPattern("(?m)^2 +0 +0 +0 +0$")
                .contains("  retention.ms=60000\n", "  durability=fsync\n", "  max.message.bytes=");

        Cli.Result altered = cli.run("topics", "alter", "clicks", "--config", "retention.ms=120000", "--reset", "durability");
        assertThat(altered.exit()).as(altered.toString()).isZero();
        assertThat(altered.out()).contains("  retention.ms=120000\n", "  durability=async\n");

        Cli.Result deleted = cli.run("topics", "delete", "views");
        assertThat(deleted.exit()).isZero();
        assertThat(deleted.out()).isEqualTo("Deleted topic views.\n");
        assertThat(cli.run("topics", "list").out().lines().toList()).contains("clicks").doesNotContain("views");
    }

    @Test
    void describeShowsOffsetsAndSizeAfterProducing() {
        cli.run("topics", "create", "sized", "--partitions", "1");
        assertThat(cli.runWithInput("a\nb\nc\n", "produce", "--topic", "sized").exit()).isZero();
        assertThat(cli.run("topics", "describe", "sized").out()).containsPattern("(?m)^0 +0 +3 +[1-9][0-9]* +0$");
    }

    @Test
    void adminErrorsAreOneLineWithoutStackTraces() {
        Cli.Result missing = cli.run("topics", "describe", "ghost");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).startsWith("sluice topics describe: ");
        assertThat(missing.err()).contains("ghost").doesNotContain("\tat ").hasLineCount(1);

        Cli.Result exists = cli.run("topics", "create", "dup");
        assertThat(exists.exit()).isZero();
        Cli.Result again = cli.run("topics", "create", "dup");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).startsWith("sluice topics create: ").contains("dup").hasLineCount(1);

        Cli.Result badConfig = cli.run("topics", "alter", "dup", "--config", "retention.ms=soon");
        assertThat(badConfig.exit()).isEqualTo(1);
        assertThat(badConfig.err()).contains("retention.ms").hasLineCount(1);

        Cli.Result nothing = cli.run("topics", "alter", "dup");
        assertThat(nothing.exit()).isEqualTo(2);
        assertThat(nothing.err()).contains("nothing to change").hasLineCount(1);

        Cli.Result verbose = cli.run("topics", "delete", "ghost", "--verbose");
        assertThat(verbose.exit()).isEqualTo(1);
        assertThat(verbose.err()).contains("TopicNotFoundException", "\tat ");
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] command : new String[][] {{}, {"topics"}, {"topics", "create"}, {"topics", "list"}, {"topics", "describe"},
                {"topics", "alter"}, {"topics", "delete"}, {"groups"}, {"groups", "list"}, {"groups", "describe"},
                {"groups", "reset-offsets"}, {"groups", "delete"}, {"produce"}, {"consume"}, {"broker"}}) {
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new);
            Cli.Result help = cli.run(args);
            assertThat(help.exit()).as(String.join(" ", args)).isZero();
            assertThat(help.out()).as(String.join(" ", args)).startsWith("Usage: sluice");
        }
    }
}
