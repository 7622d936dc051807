package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** With idempotence, connections cut under the producer neither lose, duplicate nor reorder records. */
class IdempotentProducerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(40);
    private static final int RECORDS = 200_000;
    private static final int CUTS = 20;

    @TempDir
    Path dir;
    BrokerFixture fixture;
    TcpProxy proxy;
    /** Produces through the proxy. */
    SluiceClient client;
    /** Checks and reads back straight from the broker. */
    SluiceClient direct;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir);
        proxy = TcpProxy.to(fixture.port());
        client = SluiceClient.builder().bootstrap(proxy.bootstrap()).retryDeadline(Duration.ofSeconds(20)).build();
        direct = SluiceClient.connect(fixture.bootstrap());
    }

    @AfterEach
    void stop() {
        client.close();
        direct.close();
        proxy.close();
        fixture.close();
    }

    @Test
    void everyRecordIsStoredExactlyOnceAndInOrderThroughTwentyCuts() {
        direct.admin().createTopic("chaos", 4).block(TIMEOUT);
        // Cut points are acknowledged-record counts, one at random in each twentieth of the run, so every cut
        // lands mid-run with batches in flight and progress between cuts.
        Random random = new Random(20_240_601);
        int slot = RECORDS / CUTS;
        int[] cutAt = new int[CUTS];
        for (int i = 0; i < CUTS; i++) {
            cutAt[i] = i * slot + 1 + random.nextInt(slot - 2_000);
        }
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger cuts = new AtomicInteger();
        AtomicInteger connectionsCut = new AtomicInteger();
        // Per value: where the producer says it is (partition << 40 | offset), set once.
        AtomicLongArray reported = new AtomicLongArray(RECORDS);
        AtomicInteger reportedTwice = new AtomicInteger();

        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings().batchBytes(8 * 1024));
        Long sent = producer.send(Flux.range(0, RECORDS)
                        .map(i -> ProducerRecord.of("chaos", "key-" + i % 8, Integer.toString(i)).withCorrelation(i)))
                .doOnNext(result -> {
                    if (!reported.compareAndSet(result.correlation(), 0, where(result.partition(), result.offset()))) {
                        reportedTwice.incrementAndGet();
                    }
                    int n = acknowledged.incrementAndGet();
                    int next = cuts.get();
                    if (next < CUTS && n >= cutAt[next] && cuts.compareAndSet(next, next + 1)) {
                        connectionsCut.addAndGet(proxy.cutAll());
                    }
                })
                .count()
                .block(TIMEOUT);

        assertThat(sent).isEqualTo(RECORDS);
        assertThat(reportedTwice).hasValue(0);
        assertThat(cuts).hasValue(CUTS);
        assertThat(connectionsCut.get()).isGreaterThanOrEqualTo(CUTS);
        assertThat(proxy.accepted()).as("a new connection after each cut").isGreaterThan(CUTS);

        long stored = direct.admin().describeTopic("chaos").block(TIMEOUT).partitions().stream()
                .mapToLong(p -> p.endOffset() - p.startOffset()).sum();
        assertThat(stored).as("records in the log").isEqualTo(RECORDS);
        List<ReceivedRecord<String, String>> log = direct.consumer(ConsumerOptions.strings().topics("chaos")
                        .start(StartPosition.earliest()))
                .receive().take(RECORDS).collectList().block(TIMEOUT);

        boolean[] seen = new boolean[RECORDS];
        Map<String, Integer> lastOfKey = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (ReceivedRecord<String, String> record : log) {
            int value = Integer.parseInt(record.value());
            if (seen[value] && problems.size() < 10) {
                problems.add("value " + value + " stored twice");
            }
            seen[value] = true;
            Integer last = lastOfKey.put(record.key(), value);
            if (last != null && last >= value && problems.size() < 10) {
                problems.add("key " + record.key() + ": " + value + " after " + last);
            }
            if (reported.get(value) != where(record.partition(), record.offset()) && problems.size() < 10) {
                problems.add("value " + value + " reported elsewhere than at " + record.partition() + "/" + record.offset());
            }
        }
        assertThat(problems).isEmpty();
        assertThat(log).hasSize(RECORDS);
    }

    @Test
    void aResentBatchReportsTheOffsetsOfItsFirstAppend() {
        direct.admin().createTopic("resent", 1).block(TIMEOUT);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings());
        assertThat(producer.send(ProducerRecord.of("resent", "k", "first")).block(TIMEOUT).offset()).isZero();

        // The broker appends the next batch, but its acknowledgement is lost with the connection.
        proxy.dropResponses(true);
        CompletableFuture<SendResult<Void>> second = producer.send(ProducerRecord.of("resent", "k", "second")).toFuture();
        await().atMost(TIMEOUT).until(() -> endOffset("resent") == 2);
        assertThat(second).isNotDone();
        proxy.dropResponses(false);
        assertThat(proxy.cutAll()).isPositive();

        assertThat(second).succeedsWithin(TIMEOUT).extracting(SendResult::offset).isEqualTo(1L);
        assertThat(producer.send(ProducerRecord.of("resent", "k", "third")).block(TIMEOUT).offset()).isEqualTo(2L);
        assertThat(endOffset("resent")).isEqualTo(3);
        assertThat(direct.consumer(ConsumerOptions.strings().topics("resent").start(StartPosition.earliest()))
                .receive().take(3).map(r -> r.offset() + ":" + r.value()).collectList().block(TIMEOUT))
                .containsExactly("0:first", "1:second", "2:third");
    }

    @Test
    void resendsStopAtTheDeliveryTimeoutAndLaterSendsStartAfresh() {
        direct.admin().createTopic("unreachable", 1).block(TIMEOUT);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings()
                .deliveryTimeout(Duration.ofSeconds(2)));
        producer.send(ProducerRecord.of("unreachable", "k", "first")).block(TIMEOUT);
        proxy.refuse(true);

        long started = System.nanoTime();
        StepVerifier.create(producer.send(ProducerRecord.of("unreachable", "k", "lost")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("delivery timeout"))
                .verify(TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
        assertThat(endOffset("unreachable")).isEqualTo(1);

        // The lost batch took sequence 1 and never arrived: the producer continues under a new id rather than
        // leaving a gap that the broker would refuse as out of order.
        proxy.refuse(false);
        assertThat(producer.send(ProducerRecord.of("unreachable", "k", "after")).block(TIMEOUT).offset()).isEqualTo(1L);
    }

    private long endOffset(String topic) {
        return direct.admin().describeTopic(topic).block(TIMEOUT).partitions().get(0).endOffset();
    }

    /** Partition and offset in one long, never 0 for a real position (so 0 means "not reported"). */
    private static long where(int partition, long offset) {
        return ((long) partition + 1) << 40 | offset;
    }
}
