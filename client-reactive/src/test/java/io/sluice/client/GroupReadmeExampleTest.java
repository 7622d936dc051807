package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** The consumer group snippet of README.md, quoted verbatim there. */
class GroupReadmeExampleTest {

    static List<String> example(SluiceClient client) {
        // GROUP-SNIPPET-START
        ReactiveConsumer<String, String> consumer = client.consumer(ConsumerOptions.strings()
                .topics("orders")
                .group("billing")                   // the broker spreads the partitions over the members
                .start(StartPosition.earliest())    // for partitions the group never committed
                .onAssigned(partitions -> System.out.println("assigned " + partitions))
                .onRevoked(partitions -> System.out.println("revoked " + partitions)));
        List<String> billed = new CopyOnWriteArrayList<>();
        consumer.receive()
                .doOnNext(record -> {
                    billed.add(record.value());     // process the record, then acknowledge it
                    record.ack();
                })
                .buffer(50)
                .concatMap(batch -> consumer.commit().thenReturn(batch)) // commit now (also done every 5 s)
                .take(2)                            // cancelling commits, then leaves the group
                .blockLast();
        return billed;
        // GROUP-SNIPPET-END
    }

    @Test
    void theSnippetRunsAgainstARealBroker(@TempDir Path dir) {
        try (BrokerFixture fixture = BrokerFixture.start(dir);
             SluiceClient client = SluiceClient.connect(fixture.bootstrap())) {
            client.admin().createTopic("orders", 3).block(Duration.ofSeconds(20));
            client.producer(ProducerOptions.strings())
                    .send(Flux.range(0, 100).map(i -> ProducerRecord.of("orders", "customer-" + i, "order " + i)))
                    .blockLast(Duration.ofSeconds(20));
            assertThat(example(client)).hasSize(100).contains("order 0", "order 99");
            Map<Integer, Long> committed = client.admin().fetchCommittedOffsets("billing", "orders").block(Duration.ofSeconds(20));
            assertThat(committed.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(100);
        }
    }

    @Test
    void theReadmeQuotesTheSnippetVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/sluice/client/GroupReadmeExampleTest.java"));
        String snippet = source.substring(source.indexOf("// GROUP-SNIPPET-START\n") + "// GROUP-SNIPPET-START\n".length(),
                source.indexOf("        // GROUP-SNIPPET-END"));
        String unindented = snippet.lines().map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(Files.readString(Path.of("../README.md"))).contains("```java\n" + unindented + "```");
    }
}
