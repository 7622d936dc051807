package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** A consumer whose start offset retention has deleted fails, unless it chose a reset policy. */
class OffsetResetTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void noneFailsEarliestMovesToTheLogStart() {
        try (BrokerFixture fixture = BrokerFixture.start(dir, Map.of(BrokerConfig.LOG_CLEANER_INTERVAL_MS, "50"));
             SluiceClient client = SluiceClient.connect(fixture.bootstrap())) {
            client.admin().createTopic("short", 1, Map.of("retention.bytes", "1")).block(TIMEOUT);
            ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings().linger(Duration.ofMillis(1)));
            for (int i = 0; i < 5; i++) {
                // Separate sends: separate batches, so retention has whole batches to delete.
                producer.send(Flux.just(ProducerRecord.of("short", null, "v" + i))).blockLast(TIMEOUT);
            }
            await().atMost(TIMEOUT).until(() -> client.admin().describeTopic("short").block(TIMEOUT)
                    .partitions().get(0).startOffset() > 0);
            // Stop retention here, and add one record, so there is something after the start to read.
            client.admin().alterTopicConfigs("short", Map.of("retention.bytes", "-1"), java.util.List.of()).block(TIMEOUT);
            producer.send(Flux.just(ProducerRecord.of("short", null, "v5"))).blockLast(TIMEOUT);
            long start = client.admin().describeTopic("short").block(TIMEOUT).partitions().get(0).startOffset();

            StepVerifier.create(client.consumer(ConsumerOptions.strings().topics("short").start(StartPosition.offset(0)))
                            .receive())
                    .expectError(OffsetOutOfRangeException.class)
                    .verify(TIMEOUT);

            ReceivedRecord<String, String> first = client.consumer(ConsumerOptions.strings().topics("short")
                            .start(StartPosition.offset(0)).offsetReset(ConsumerOptions.OffsetReset.EARLIEST))
                    .receive().blockFirst(TIMEOUT);
            assertThat(first.offset()).isEqualTo(start);
            assertThat(first.value()).isEqualTo("v" + start);
        }
    }
}
