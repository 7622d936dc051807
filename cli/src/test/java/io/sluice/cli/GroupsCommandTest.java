package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.GroupMembership;
import io.sluice.proto.v1.KeepaliveAck;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupsCommandTest {
    BrokerFixture fixture;
    Cli cli;

    @BeforeAll
    void start(@TempDir Path dir) {
        fixture = BrokerFixture.start(dir);
        cli = new Cli(Map.of("SLUICE_BOOTSTRAP", fixture.bootstrap()));
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    private Cli.Result ok(String... args) {
        Cli.Result result = cli.run(args);
        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(result.err()).isEmpty();
        return result;
    }

    private void produce(String topic, int partition, String lines) {
        Cli.Result produced = cli.runWithInput(lines, "produce", "--topic", topic, "--partition", String.valueOf(partition));
        assertThat(produced.exit()).as(produced.toString()).isZero();
    }

    @Test
    @DisplayName("Reset-offsets and describe through the CLI")
    void resetOffsetsAndDescribe() {
        ok("topics", "create", "orders", "--partitions", "2");
        produce("orders", 0, "a\nb\nc\n");
        produce("orders", 1, "d\n");

        // Beyond partition 1's end: clamped to it.
        assertThat(ok("groups", "reset-offsets", "billing", "--topic", "orders", "--to", "offset:2").out()).isEqualTo("""
                Reset offsets of group billing on topic orders:
                PARTITION  NEW-OFFSET
                0          2
                1          1
                """);
        assertThat(ok("groups", "describe", "billing").out()).isEqualTo("""
                Group: billing\tState: EMPTY\tMembers: 0
                TOPIC   PARTITION  COMMITTED  END  LAG  OWNER
                orders  0          2          3    1    -
                orders  1          1          1    0    -
                """);

        assertThat(ok("groups", "reset-offsets", "billing", "--topic", "orders", "--to", "earliest", "--partitions", "0").out())
                .endsWith("0          0\n");
        assertThat(ok("groups", "describe", "billing").out()).containsPattern("(?m)^orders +0 +0 +3 +3 +-$");
        // The records were produced just now: a time in the past finds the first, one in the future the end.
        assertThat(ok("groups", "reset-offsets", "billing", "--topic", "orders", "--to", "time:2000-01-01T00:00:00-05:00").out())
                .containsPattern("(?m)^0 +0$").containsPattern("(?m)^1 +0$");
        assertThat(ok("groups", "reset-offsets", "billing", "--topic", "orders", "--to", "time:2999-01-01T00:00:00Z").out())
                .containsPattern("(?m)^0 +3$").containsPattern("(?m)^1 +1$");
        assertThat(ok("groups", "reset-offsets", "billing", "--topic", "orders", "--to", "latest", "--partitions", "1,0").out())
                .containsPattern("(?m)^0 +3$").containsPattern("(?m)^1 +1$");

        // Other tests share the broker: their groups may be listed too.
        Cli.Result listed = ok("groups", "list");
        assertThat(listed.out()).startsWith("GROUP").containsPattern("(?m)^billing +EMPTY +0 +orders$");

        assertThat(ok("groups", "delete", "billing").out()).isEqualTo("Deleted group billing.\n");
        Cli.Result gone = cli.run("groups", "describe", "billing");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).startsWith("sluice groups describe: ").contains("'billing' does not exist").hasLineCount(1);
    }

    @Test
    void badArgumentsAreOneLine() {
        ok("topics", "create", "small");

        Cli.Result badTo = cli.run("groups", "reset-offsets", "g", "--topic", "small", "--to", "middle");
        assertThat(badTo.exit()).isEqualTo(2);
        assertThat(badTo.err()).isEqualTo("sluice groups reset-offsets: --to must be earliest, latest, offset:N (N >= 0)"
                + " or time:ISO-8601 (e.g. time:2026-01-31T12:00:00Z); got 'middle'\n");

        Cli.Result noTo = cli.run("groups", "reset-offsets", "g", "--topic", "small");
        assertThat(noTo.exit()).isEqualTo(2);
        assertThat(noTo.err()).contains("--to").hasLineCount(1);

        Cli.Result badPartition = cli.run("groups", "reset-offsets", "g", "--topic", "small", "--to", "latest", "--partitions", "3");
        assertThat(badPartition.exit()).isEqualTo(1);
        assertThat(badPartition.err()).startsWith("sluice groups reset-offsets: ").contains("Partition 3").hasLineCount(1);

        Cli.Result unknownTopic = cli.run("groups", "reset-offsets", "g", "--topic", "ghost", "--to", "latest");
        assertThat(unknownTopic.exit()).isEqualTo(1);
        assertThat(unknownTopic.err()).contains("'ghost' does not exist").hasLineCount(1);

        Cli.Result unknownGroup = cli.run("groups", "delete", "nobody");
        assertThat(unknownGroup.exit()).isEqualTo(1);
        assertThat(unknownGroup.err()).startsWith("sluice groups delete: ").contains("'nobody' does not exist").hasLineCount(1);

        Cli.Result noSubcommand = cli.run("groups");
        assertThat(noSubcommand.exit()).isEqualTo(2);
        assertThat(noSubcommand.err()).contains("missing subcommand");
    }

    @Test
    void resetAndDeleteSayHowManyMembersToStop() {
        ok("topics", "create", "jobs", "--partitions", "2");
        Sinks.Many<ConsumeRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        requests.tryEmitNext(ConsumeRequest.newBuilder().setSubscribe(Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic("jobs"))
                .setGroup(GroupMembership.newBuilder().setGroup("workers").setSessionTimeoutMs(30_000))).build());
        Disposable member = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel())
                .consume(requests.asFlux())
                .filter(ConsumeResponse::hasKeepalive)
                .subscribe(k -> requests.tryEmitNext(ConsumeRequest.newBuilder()
                        .setKeepaliveAck(KeepaliveAck.newBuilder().setId(k.getKeepalive().getId())).build()));
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(ok("groups", "describe", "workers").out()).contains("Members: 1")
                            .containsPattern("(?m)^jobs +1 ").doesNotContainPattern("(?m)^jobs .* -$"));
            Cli.Result described = ok("groups", "describe", "workers");
            assertThat(described.out()).contains("MEMBER-ID", "ASSIGNED", "jobs-0,jobs-1", "State: STABLE");

            Cli.Result reset = cli.run("groups", "reset-offsets", "workers", "--topic", "jobs", "--to", "earliest");
            assertThat(reset.exit()).isEqualTo(1);
            assertThat(reset.err()).isEqualTo("sluice groups reset-offsets: group workers has 1 active member;"
                    + " stop it before resetting offsets\n");
            Cli.Result delete = cli.run("groups", "delete", "workers");
            assertThat(delete.exit()).isEqualTo(1);
            assertThat(delete.err()).isEqualTo("sluice groups delete: group workers has 1 active member; stop it before deleting it\n");
        } finally {
            member.dispose();
        }
    }
}
