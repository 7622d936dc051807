package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

class ClientMetricsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void producerAndConsumerMeterWhatTheySentAndReceived() {
        MeterRegistry meters = new SimpleMeterRegistry();
        try (BrokerFixture fixture = BrokerFixture.start(dir);
             SluiceClient client = SluiceClient.builder().bootstrap(fixture.bootstrap()).meterRegistry(meters).build()) {
            client.admin().createTopic("events", 2).block(TIMEOUT);
            ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings());
            producer.send(Flux.range(0, 200).map(i -> ProducerRecord.of("events", "k" + i, "value-" + i)))
                    .blockLast(TIMEOUT);

            long sentBatches = (long) meters.counter("sluice.client.producer.batches.sent", "topic", "events").count();
            assertThat(meters.counter("sluice.client.producer.records.sent", "topic", "events").count()).isEqualTo(200);
            assertThat(sentBatches).isBetween(2L, 200L);
            double sentBytes = meters.counter("sluice.client.producer.bytes.sent", "topic", "events").count();
            assertThat(sentBytes).isGreaterThan(200 * "value-0".length());
            assertThat(meters.timer("sluice.client.producer.send.latency", "topic", "events").count()).isEqualTo(sentBatches);
            assertThat(meters.timer("sluice.client.producer.send.latency", "topic", "events").max(
                    java.util.concurrent.TimeUnit.SECONDS)).isPositive().isLessThan(TIMEOUT.toSeconds());
            assertThat(meters.find("sluice.client.producer.errors").counters()).isEmpty();
            // The broker metered the same bytes: the client counts payload as sent, like the broker.
            assertThat(fixture.broker().meters().counter("sluice.produce.bytes", "topic", "events").count())
                    .isEqualTo(sentBytes);

            ReactiveConsumer<String, String> consumer = client.consumer(ConsumerOptions.strings().topics("events")
                    .start(StartPosition.earliest()));
            assertThat(consumer.receive().take(200).count().block(TIMEOUT)).isEqualTo(200);
            assertThat(meters.counter("sluice.client.consumer.records.received", "topic", "events").count()).isEqualTo(200);
            assertThat(meters.counter("sluice.client.consumer.bytes.received", "topic", "events").count())
                    .isEqualTo(sentBytes);
            assertThat(meters.summary("sluice.client.consumer.lag", "topic", "events").count()).isPositive();
            assertThat(meters.summary("sluice.client.consumer.lag", "topic", "events").max()).isBetween(0.0, 200.0);
        }
    }
}
