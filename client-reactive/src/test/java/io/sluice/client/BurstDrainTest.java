package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The burst scenario: 1 000 requests arrive at once while two workers handle 100 each per second. The broker
 * holds the burst as backlog; consumer credit follows the workers, so nothing is dropped and the backlog
 * drains at the workers' pace, in about 5 s.
 */
class BurstDrainTest {
    private static final int REQUESTS = 1_000;
    private static final int WORKERS = 2;
    private static final Duration WORK = Duration.ofMillis(10); // 2 workers x 100/s = 200/s

    @TempDir
    Path dir;
    BrokerFixture fixture;
    SluiceClient client;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir);
        client = SluiceClient.connect(fixture.bootstrap());
    }

    @AfterEach
    void stop() {
        client.close();
        fixture.close();
    }

    @Test
    void aThousandRequestsAtOnceAreAllHandledAtTheWorkersPace() {
        client.admin().createTopic("requests", 2).block(Duration.ofSeconds(10));
        Set<Long> handled = ConcurrentHashMap.newKeySet();
        AtomicLong handledCount = new AtomicLong();
        Disposable workers = client.consumer(ConsumerOptions.strings().topics("requests").start(StartPosition.earliest())
                        .prefetch(16, 1 << 20))
                .receive()
                .flatMap(r -> Mono.delay(WORK).doOnNext(t -> {
                    handled.add(r.partition() * 1_000_000L + r.offset());
                    handledCount.incrementAndGet();
                }), WORKERS)
                .subscribe();
        try {
            long start = System.nanoTime();
            var acked = client.producer(ProducerOptions.strings())
                    .send(Flux.range(0, REQUESTS).map(i -> ProducerRecord.of("requests", "k" + i, "request-" + i)))
                    .count().block(Duration.ofSeconds(10));
            assertThat(acked).isEqualTo(REQUESTS);
            await().atMost(Duration.ofSeconds(8)).until(() -> handledCount.get() >= REQUESTS);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(handled).hasSize(REQUESTS);
            assertThat(handledCount.get()).isEqualTo(REQUESTS);
            assertThat(seconds).isBetween(3.5, 8.0);
            // The backlog sat in the broker, not in the consumer: it never had more than its prefetch.
            long backlog = client.admin().describeTopic("requests").block(Duration.ofSeconds(10)).partitions().stream()
                    .mapToLong(p -> p.endOffset()).sum();
            assertThat(backlog).isEqualTo(REQUESTS);
        } finally {
            workers.dispose();
        }
    }
}
