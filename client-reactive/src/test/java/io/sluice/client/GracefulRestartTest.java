package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** A producer told SHUTTING_DOWN waits for the broker to come back, and nothing is lost or stored twice. */
class GracefulRestartTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int RECORDS = 20_000;

    @TempDir
    Path dir;

    @Test
    void anIdempotentProducerRidesThroughAGracefulRestart() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        try (BrokerFixture fixture = BrokerFixture.start(dir);
             SluiceClient client = SluiceClient.builder().bootstrap(fixture.bootstrap()).meterRegistry(meters)
                     .retryDeadline(Duration.ofSeconds(30)).build()) {
            client.admin().createTopic("rides", 2).block(TIMEOUT);
            ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings());
            AtomicInteger acked = new AtomicInteger();
            CompletableFuture<Void> restarted = new CompletableFuture<>();
            List<SendResult<Void>> results = producer.send(Flux.range(0, RECORDS)
                            .map(i -> ProducerRecord.of("rides", "k" + i, "v" + i)))
                    .doOnNext(result -> {
                        if (acked.incrementAndGet() == RECORDS / 10) {
                            CompletableFuture.runAsync(fixture::restart).whenComplete((done, error) -> {
                                if (error != null) {
                                    restarted.completeExceptionally(error);
                                } else {
                                    restarted.complete(null);
                                }
                            });
                        }
                    })
                    .collectList().block(TIMEOUT);
            restarted.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(results).hasSize(RECORDS);
            // The producer's stream was open when the broker drained: it was told to stop.
            assertThat(meters.counter("sluice.client.producer.throttled", "reason", "SHUTTING_DOWN").count())
                    .isGreaterThanOrEqualTo(1);

            List<String> stored = client.consumer(ConsumerOptions.strings().topics("rides").start(StartPosition.earliest()))
                    .receive().take(RECORDS).map(ReceivedRecord::value).collectList().block(TIMEOUT);
            assertThat(stored).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, RECORDS).mapToObj(i -> "v" + i).toList());
            assertThat(fixture.broker().logs().topic("rides").partitions().stream().mapToLong(p -> p.highWatermark()).sum())
                    .isEqualTo(RECORDS);
        }
    }
}
