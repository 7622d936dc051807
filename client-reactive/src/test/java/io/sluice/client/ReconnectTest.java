package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** A broker restart is invisible to subscribers: the client retries and resumes. */
class ReconnectTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    BrokerFixture fixture;
    SluiceClient client;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir);
        client = SluiceClient.builder().bootstrap(fixture.bootstrap()).retryDeadline(Duration.ofSeconds(20)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        fixture.close();
    }

    private void produce(String topic, int from, int to) {
        client.producer(ProducerOptions.strings())
                .send(Flux.range(from, to - from).map(i -> ProducerRecord.of(topic, (String) null, "v" + i).withPartition(i % 2)))
                .blockLast(TIMEOUT);
    }

    @Test
    void consumerResumesAfterARestartWithNoGapAndNoDuplicate() {
        client.admin().createTopic("resume", 2).block(TIMEOUT);
        // Uneven partitions: partition 0 gets 0, 2, 4, ... and partition 1 only the first few odd values.
        produce("resume", 0, 60);
        client.producer(ProducerOptions.strings())
                .send(Flux.range(60, 40).map(i -> ProducerRecord.of("resume", (String) null, "v" + i).withPartition(0)))
                .blockLast(TIMEOUT);
        ReactiveConsumer<String, String> consumer = client.consumer(ConsumerOptions.strings()
                .topics("resume").start(StartPosition.earliest()).prefetch(8, 1 << 20));

        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        StepVerifier.create(consumer.receive().map(ReceivedRecord::value).doOnNext(received::add), 0)
                .thenRequest(50)
                .expectNextCount(50)
                .then(fixture::restart)
                .then(() -> produce("resume", 100, 120))
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(70)
                .expectNoEvent(Duration.ofMillis(200))
                .thenCancel()
                .verify(TIMEOUT);
        // Partition 1 was far behind partition 0 when the stream broke: the resume re-reads from the smaller
        // offset and drops what partition 0 had already delivered.
        assertThat(received).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 120).mapToObj(i -> "v" + i).toList());
    }

    @Test
    void everyRecordIsDeliveredExactlyOnceAcrossARestart() {
        client.admin().createTopic("exact", 2).block(TIMEOUT);
        produce("exact", 0, 40);
        ReactiveConsumer<String, String> consumer = client.consumer(ConsumerOptions.strings()
                .topics("exact").start(StartPosition.earliest()).prefetch(4, 1 << 20));
        List<ReceivedRecord<String, String>> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        StepVerifier.create(consumer.receive().doOnNext(received::add), 0)
                .thenRequest(25)
                .expectNextCount(25)
                .then(fixture::restart)
                .then(() -> produce("exact", 40, 80))
                .thenRequest(55)
                .expectNextCount(55)
                .expectNoEvent(Duration.ofMillis(200))
                .thenCancel()
                .verify(TIMEOUT);
        for (int partition = 0; partition < 2; partition++) {
            int p = partition;
            assertThat(received.stream().filter(r -> r.partition() == p).map(ReceivedRecord::offset).toList())
                    .containsExactlyElementsOf(LongStream.range(0, 40).boxed().toList());
        }
        assertThat(received).extracting(ReceivedRecord::value).doesNotHaveDuplicates().hasSize(80);
    }

    @Test
    void producerRetriesThroughARestart() {
        client.admin().createTopic("retry", 1).block(TIMEOUT);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings());
        producer.send(ProducerRecord.of("retry", "k", "before")).block(TIMEOUT);
        fixture.restart();
        StepVerifier.create(producer.send(Flux.range(0, 20).map(i -> ProducerRecord.of("retry", "k", "after" + i))))
                .expectNextCount(20)
                .verifyComplete();
        StepVerifier.create(client.consumer(ConsumerOptions.strings().topics("retry").start(StartPosition.earliest()))
                        .receive().map(ReceivedRecord::value).take(21).collectList())
                .assertNext(values -> assertThat(values).startsWith("before", "after0").endsWith("after19"))
                .verifyComplete();
    }
}
