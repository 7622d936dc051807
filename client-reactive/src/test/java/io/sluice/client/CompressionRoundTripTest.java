package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;

/** The producer compresses, the broker keeps the batch as is, the consumer decompresses. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressionRoundTripTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    BrokerFixture fixture;
    SluiceClient client;

    @BeforeAll
    void start(@TempDir Path dir) {
        fixture = BrokerFixture.start(dir);
        client = SluiceClient.connect(fixture.bootstrap());
    }

    @AfterAll
    void stop() {
        client.close();
        fixture.close();
    }

    @ParameterizedTest
    @EnumSource(BatchCompression.class)
    void everyCodecRoundTrips(BatchCompression codec) {
        String topic = "compressed-" + codec.name().toLowerCase();
        client.admin().createTopic(topic, 2).block(TIMEOUT);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings().compression(codec));
        producer.send(Flux.range(0, 300).map(i -> ProducerRecord.of(topic, "k" + (i % 5), "value " + i).withCorrelation(i)))
                .blockLast(TIMEOUT);

        List<String> values = client.consumer(ConsumerOptions.strings().topics(topic).start(StartPosition.earliest()))
                .receive().take(300).map(ReceivedRecord::value).collectList().block(TIMEOUT);
        assertThat(values).hasSize(300).doesNotHaveDuplicates();
        assertThat(values).contains("value 0", "value 299");
    }
}
