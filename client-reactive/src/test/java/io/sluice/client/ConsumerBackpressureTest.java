package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Reactor demand becomes broker credit: the broker's own counters show what was sent. */
class ConsumerBackpressureTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    BrokerFixture fixture;
    SluiceClient client;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir);
        client = SluiceClient.connect(fixture.bootstrap());
        client.admin().createTopic("flood", 2).block(TIMEOUT);
        client.producer(ProducerOptions.strings())
                .send(Flux.range(0, 2000).map(i -> ProducerRecord.of("flood", "k" + i, "v".repeat(100))))
                .blockLast(TIMEOUT);
    }

    @AfterEach
    void stop() {
        client.close();
        fixture.close();
    }

    private double recordsSent() {
        Counter counter = fixture.broker().meters().find("sluice.consumer.records.sent").tag("topic", "flood").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aSubscriberRequestingOneAtATimeIsSentOnlyWhatItAskedFor() {
        ReactiveConsumer<String, String> consumer = client.consumer(ConsumerOptions.strings()
                .topics("flood").start(StartPosition.earliest()).prefetch(16, 1 << 20));
        StepVerifier.Step<ReceivedRecord<String, String>> steps = StepVerifier.create(consumer.receive(), 0);
        for (int i = 0; i < 20; i++) {
            steps = steps.thenRequest(1).expectNextCount(1);
        }
        steps.expectNoEvent(Duration.ofMillis(300))
                .then(() -> assertThat(recordsSent()).isBetween(20.0, 21.0))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void unboundedDemandFromASlowSubscriberStaysWithinThePrefetch() {
        ReactiveConsumer<String, String> consumer = client.consumer(ConsumerOptions.strings()
                .topics("flood").start(StartPosition.earliest()).prefetch(50, 1 << 20));
        // publishOn asks for 256 at a time: more than the prefetch, so the prefetch is what bounds the broker.
        StepVerifier.create(consumer.receive().publishOn(Schedulers.single(), 256), 0)
                .thenRequest(10)
                .expectNextCount(10)
                .expectNoEvent(Duration.ofMillis(300))
                .then(() -> assertThat(recordsSent()).isLessThanOrEqualTo(256 + 50).isGreaterThanOrEqualTo(10))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void byteCreditBoundsWhatIsSentWhenRecordsAreLarge() {
        // ~108 bytes a record: 1 KiB of byte credit lets at most ~10 records (plus one overshoot) be sent at once.
        ReactiveConsumer<String, String> consumer = client.consumer(ConsumerOptions.strings()
                .topics("flood").start(StartPosition.earliest()).prefetch(1000, 1024));
        StepVerifier.create(consumer.receive(), 0)
                .thenRequest(5)
                .expectNextCount(5)
                .expectNoEvent(Duration.ofMillis(300))
                .then(() -> assertThat(recordsSent()).isLessThanOrEqualTo(5 + 1024 / 100 + 2))
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(1995)
                .thenCancel()
                .verify(TIMEOUT);
    }
}
