package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** The Java snippet of README.md and docs/client-and-cli.md: both quote the lines between the markers verbatim. */
class ReadmeExampleTest {

    static List<String> example(String bootstrap) {
        // README-SNIPPET-START
        try (SluiceClient client = SluiceClient.connect(bootstrap)) {
            client.admin().createTopic("greetings", 3).block();

            ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings());
            producer.send(Flux.range(0, 100)
                            .map(i -> ProducerRecord.of("greetings", "user-" + i % 10, "hello " + i).withCorrelation(i)))
                    .doOnNext(result -> System.out.printf("record %d -> partition %d, offset %d%n",
                            result.correlation(), result.partition(), result.offset()))
                    .blockLast();

            ReactiveConsumer<String, String> consumer = client.consumer(ConsumerOptions.strings()
                    .topics("greetings")
                    .start(StartPosition.earliest()));
            return consumer.receive()
                    .take(100)
                    .map(ReceivedRecord::value)
                    .collectList()
                    .block();
        }
        // README-SNIPPET-END
    }

    @Test
    void theSnippetRunsAgainstARealBroker(@TempDir Path dir) {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            assertThat(example(fixture.bootstrap())).hasSize(100).contains("hello 0", "hello 99");
        }
    }

    @Test
    void theDocQuotesTheSnippetVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/sluice/client/ReadmeExampleTest.java"));
        String snippet = source.substring(source.indexOf("// README-SNIPPET-START\n") + "// README-SNIPPET-START\n".length(),
                source.indexOf("        // README-SNIPPET-END"));
        String unindented = snippet.lines().map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(Files.readString(Path.of("../README.md"))).contains("```java\n" + unindented + "```");
        assertThat(Files.readString(Path.of("../docs/client-and-cli.md"))).contains("```java\n" + unindented + "```");
    }
}
