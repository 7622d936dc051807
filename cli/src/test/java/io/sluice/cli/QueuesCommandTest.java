package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.client.QueueOptions;
import io.sluice.client.RejectRecordException;
import io.sluice.client.SluiceClient;
import io.sluice.client.StartPosition;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** {@code sluice queues} and {@code sluice dlq} against a real broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueuesCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    BrokerFixture fixture;
    Cli cli;
    SluiceClient client;

    @BeforeAll
    void start(@TempDir Path dir) {
        fixture = BrokerFixture.start(dir);
        cli = new Cli(Map.of("SLUICE_BOOTSTRAP", fixture.bootstrap()));
        client = SluiceClient.connect(fixture.bootstrap());
    }

    @AfterAll
    void stop() {
        client.close();
        fixture.close();
    }

    private Cli.Result ok(String... args) {
        Cli.Result result = cli.run(args);
        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(result.err()).isEmpty();
        return result;
    }

    /** Works through the topic's records once: rejects the values named, acks the rest. */
    private void work(String queue, String topic, int records, String... poison) {
        client.queue(QueueOptions.strings().queue(queue, topic).start(StartPosition.earliest()))
                .process(r -> java.util.List.of(poison).contains(r.value())
                        ? Mono.error(new RejectRecordException("cannot handle " + r.value())) : Mono.empty(), 4)
                .take(records)
                .blockLast(TIMEOUT);
    }

    @Test
    void queuesAreListedAndDescribedAndDeadLettersPeekedAndRedriven() {
        ok("topics", "create", "orders", "--partitions", "2");
        assertThat(cli.runWithInput("a\nb\nc\n", "produce", "--topic", "orders", "--partition", "0").exit()).isZero();
        assertThat(cli.runWithInput("d\n", "produce", "--topic", "orders", "--partition", "1").exit()).isZero();
        work("billing", "orders", 4, "b", "d");

        // The worker's stream closes as the broker notices: then it shows no worker.
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(ok("queues", "list").out())
                .containsPattern("(?m)^QUEUE +TOPIC +WORKERS +BACKLOG +IN-FLIGHT +DELAYED +DEAD-LETTERED +OLDEST$")
                .containsPattern("(?m)^billing +orders +0 +0 +0 +0 +2 +-$"));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(ok("queues", "describe", "billing").out()).isEqualTo("""
                Queue: billing\tTopic: orders\tDead letters to: orders.dlq\tWorkers: 0
                Backlog: 0\tIn flight: 0\tDelayed: 0\tDead-lettered: 2\tOldest: -
                Settings: backoff.initial.ms=1000, backoff.max.ms=60000, backoff.multiplier=2.0, dlq.topic=, \
                lock.timeout.ms=30000, max.delivery.attempts=5, ordering=none, window.bytes=4194304, window.records=500
                PARTITION  SETTLED-UP-TO  END  BACKLOG  IN-FLIGHT  DELAYED  DEAD-LETTERED
                0          3              3    0        0          0        1
                1          1              1    0        0          0        1
                """));

        Cli.Result peeked = ok("dlq", "peek", "orders.dlq");
        assertThat(peeked.out()).startsWith("PARTITION  OFFSET  FROM        QUEUE    DELIVERIES  DEAD-LETTERED")
                .containsPattern("(?m)^0 +0 +orders-0@1 +billing +1 +\\S+Z +cannot handle b +- +b$")
                .containsPattern("(?m)^1 +0 +orders-1@0 +billing +1 +\\S+Z +cannot handle d +- +d$");

        assertThat(ok("dlq", "redrive", "orders.dlq", "--max", "1").out())
                .isEqualTo("Redrove 1 dead letter of orders.dlq to their original topics.\n");
        assertThat(ok("dlq", "peek", "orders.dlq").out()).doesNotContain("cannot handle b").contains("cannot handle d");
        assertThat(ok("dlq", "peek", "orders.dlq", "--from-beginning").out()).contains("cannot handle b");
        // The redriven record is back at the end of its partition: the queue's backlog again.
        assertThat(ok("queues", "describe", "billing").out()).contains("Backlog: 1\t");
        work("billing", "orders", 1);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(ok("queues", "describe", "billing").out())
                .contains("Backlog: 0\t").contains("Workers: 0\n"));

        assertThat(ok("dlq", "redrive", "orders.dlq", "--to", "orders").out())
                .isEqualTo("Redrove 1 dead letter of orders.dlq to orders.\n");
        assertThat(ok("queues", "alter", "billing", "--config", "lock.timeout.ms=5000").out())
                .startsWith("Altered queue billing.\n").contains("lock.timeout.ms=5000\n");
        assertThat(ok("queues", "delete", "billing").out()).isEqualTo("Deleted queue billing.\n");
        assertThat(ok("queues", "list").out()).doesNotContain("billing");
    }

    @Test
    void failuresAreOneLine() {
        Cli.Result unknown = cli.run("queues", "describe", "nobody");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("sluice queues describe: Queue 'nobody' does not exist\n");

        Cli.Result noTopic = cli.run("dlq", "peek", "ghost.dlq");
        assertThat(noTopic.exit()).isEqualTo(1);
        assertThat(noTopic.err()).isEqualTo("sluice dlq peek: Topic 'ghost.dlq' does not exist\n");

        Cli.Result badMax = cli.run("dlq", "redrive", "x.dlq", "--max", "-1");
        assertThat(badMax.exit()).isEqualTo(2);
        assertThat(badMax.err()).isEqualTo("sluice dlq redrive: --max must be >= 0, got -1\n");

        Cli.Result nothing = cli.run("queues", "alter", "q");
        assertThat(nothing.exit()).isEqualTo(2);
        assertThat(nothing.err()).contains("nothing to change");

        assertThat(cli.run("queues").err()).contains("missing subcommand");
        assertThat(cli.run("dlq").err()).contains("missing subcommand");
    }
}
