package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The queue-mode snippet of README.md, quoted verbatim there. */
class QueueReadmeExampleTest {

    static List<String> example(SluiceClient client) {
        // QUEUE-SNIPPET-START
        ReactiveQueue<String, String> queue = client.queue(QueueOptions.strings()
                .queue("emails", "signups")         // created by its first worker, bound to the topic
                .start(StartPosition.earliest())    // where a new queue starts
                .maxDeliveryAttempts(3)             // then the record goes to the dead-letter topic signups.dlq
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 2.0));
        List<String> sent = new CopyOnWriteArrayList<>();
        queue.process(record -> {
                    if (record.value().isBlank()) {
                        return Mono.error(new RejectRecordException("no address")); // dead-lettered at once
                    }
                    sent.add(record.value());       // send the email here
                    return Mono.empty();            // completes: ack; fails: nack, retried after the backoff
                }, 8)                               // 8 records at a time; run as many workers as you like
                .take(100)
                .blockLast();
        return sent;
        // QUEUE-SNIPPET-END
    }

    @Test
    void theSnippetRunsAgainstARealBroker(@TempDir Path dir) {
        try (BrokerFixture fixture = BrokerFixture.start(dir);
             SluiceClient client = SluiceClient.connect(fixture.bootstrap())) {
            client.admin().createTopic("signups", 3).block(Duration.ofSeconds(20));
            client.producer(ProducerOptions.strings())
                    .send(Flux.range(0, 100).map(i -> ProducerRecord.of("signups", "user-" + i,
                            i == 42 ? " " : "user-" + i + "@example.com")))
                    .blockLast(Duration.ofSeconds(20));
            assertThat(example(client)).hasSize(99).doesNotHaveDuplicates().contains("user-0@example.com");
            assertThat(client.queueAdmin().peekDeadLetters("signups.dlq", 10, false).collectList().block(Duration.ofSeconds(20)))
                    .singleElement().satisfies(d -> assertThat(d.reason()).isEqualTo("no address"));
        }
    }

    @Test
    void theReadmeQuotesTheSnippetVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/sluice/client/QueueReadmeExampleTest.java"));
        String snippet = source.substring(source.indexOf("// QUEUE-SNIPPET-START\n") + "// QUEUE-SNIPPET-START\n".length(),
                source.indexOf("        // QUEUE-SNIPPET-END"));
        String unindented = snippet.lines().map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(Files.readString(Path.of("../README.md"))).contains("```java\n" + unindented + "```");
    }
}
