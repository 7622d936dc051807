package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.StringValue;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProduceConsumeTest {
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

    private void create(String topic, int partitions) {
        client.admin().createTopic(topic, partitions).block(TIMEOUT);
    }

    @Test
    void keyedRecordsComeBackWithEverythingTheyCarried() {
        create("orders", 4);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings());
        List<ProducerRecord<String, String, Integer>> records = IntStream.range(0, 500)
                .mapToObj(i -> ProducerRecord.of("orders", "k" + (i % 13), "v" + i)
                        .withHeaders(List.of(Header.of("n", String.valueOf(i))))
                        .withTimestamp(1_700_000_000_000L + i)
                        .withCorrelation(i))
                .toList();

        List<SendResult<Integer>> results = producer.send(Flux.fromIterable(records)).collectList().block(TIMEOUT);

        assertThat(results).hasSize(500);
        // Correlation metadata comes back with each result, and per partition the offsets are 0, 1, 2, ...
        Map<Integer, Long> nextOffset = new HashMap<>();
        for (SendResult<Integer> result : results) {
            long expected = nextOffset.getOrDefault(result.partition(), 0L);
            assertThat(result.offset()).isEqualTo(expected);
            nextOffset.put(result.partition(), expected + 1);
            // Kafka's own partitioner puts the key in the same partition.
            byte[] key = ("k" + (result.correlation() % 13)).getBytes();
            assertThat(result.partition()).isEqualTo(Utils.toPositive(Utils.murmur2(key)) % 4);
            assertThat(result.timestampMs()).isEqualTo(1_700_000_000_000L + result.correlation());
        }

        ReactiveConsumer<String, String> consumer = client.consumer(ConsumerOptions.strings()
                .topics("orders").start(StartPosition.earliest()));
        List<ReceivedRecord<String, String>> received = consumer.receive().take(500).collectList().block(TIMEOUT);
        Map<Integer, List<Integer>> valuesByPartition = new HashMap<>();
        for (ReceivedRecord<String, String> r : received) {
            int i = Integer.parseInt(r.value().substring(1));
            assertThat(r.topic()).isEqualTo("orders");
            assertThat(r.key()).isEqualTo("k" + (i % 13));
            assertThat(r.headers()).extracting(Header::key, Header::valueAsString).containsExactly(org.assertj.core.groups.Tuple.tuple("n", String.valueOf(i)));
            assertThat(r.timestampMs()).isEqualTo(1_700_000_000_000L + i);
            valuesByPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(i);
            List<Integer> seen = valuesByPartition.get(r.partition());
            assertThat(r.offset()).isEqualTo(seen.size() - 1);
        }
        valuesByPartition.values().forEach(values -> assertThat(values).isSorted());
        assertThat(valuesByPartition.values().stream().mapToInt(List::size).sum()).isEqualTo(500);
    }

    @Test
    void keylessRecordsSpreadOverPartitionsAndExplicitPartitionsAreKept() {
        create("spread", 3);
        ReactiveProducer<String, String> sticky = client.producer(ProducerOptions.strings().batchBytes(200));
        List<SendResult<Void>> results = sticky.send(Flux.range(0, 300).map(i -> ProducerRecord.of("spread", (String) null, "value-" + i)))
                .collectList().block(TIMEOUT);
        assertThat(results).extracting(SendResult::partition).contains(0, 1, 2);

        ReactiveProducer<String, String> roundRobin = client.producer(ProducerOptions.strings().partitioner(Partitioner.roundRobin()));
        assertThat(roundRobin.send(Flux.range(0, 6).map(i -> ProducerRecord.of("spread", (String) null, "rr"))).collectList().block(TIMEOUT))
                .extracting(SendResult::partition).containsOnly(0, 1, 2).hasSize(6);

        SendResult<Void> pinned = sticky.send(ProducerRecord.of("spread", "any-key", "x").withPartition(2)).block(TIMEOUT);
        assertThat(pinned.partition()).isEqualTo(2);
        assertThat(pinned.offset()).isEqualTo(client.admin().describeTopic("spread").block(TIMEOUT).partitions().get(2).endOffset() - 1);
    }

    @Test
    void aFullBatchGoesOutWithoutWaitingForLinger() {
        create("eager", 1);
        // A linger of an hour: only the batchBytes cut can send these records within the test's timeout.
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings()
                .linger(Duration.ofHours(1)).batchBytes(1000));
        StepVerifier.create(producer.send(Flux.range(0, 50).map(i -> ProducerRecord.of("eager", "k", "x".repeat(100))).concatWith(Flux.never())))
                .expectNextCount(40)
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void ackNoneReturnsResultsWithoutOffsetsAndTheRecordsArrive() {
        create("fire", 1);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings().acks(Acks.NONE));
        StepVerifier.create(producer.send(Flux.range(0, 10).map(i -> ProducerRecord.of("fire", (String) null, "f" + i))))
                .expectNextCount(10)
                .verifyComplete();
        StepVerifier.create(client.consumer(ConsumerOptions.strings().topics("fire").start(StartPosition.earliest()))
                        .receive().map(ReceivedRecord::value).take(10))
                .expectNext("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9")
                .verifyComplete();
    }

    @Test
    void protobufValuesRoundTrip() {
        create("protos", 1);
        ReactiveProducer<byte[], StringValue> producer = client.producer(ProducerOptions.of(Serializers.bytes(), Serializers.protobuf()));
        producer.send(ProducerRecord.of("protos", (byte[]) null, StringValue.of("hello"))).block(TIMEOUT);
        StepVerifier.create(client.consumer(ConsumerOptions.of(Deserializers.bytes(), Deserializers.protobuf(StringValue.parser()))
                        .topics("protos").start(StartPosition.earliest())).receive().take(1))
                .assertNext(r -> {
                    assertThat(r.value().getValue()).isEqualTo("hello");
                    assertThat(r.key()).isNull();
                })
                .verifyComplete();
    }

    @Test
    void oneConsumerReadsSeveralTopicsAndChosenPartitions() {
        create("multi-a", 2);
        create("multi-b", 2);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings());
        producer.send(Flux.just(ProducerRecord.of("multi-a", (String) null, "a0").withPartition(0),
                ProducerRecord.of("multi-a", (String) null, "a1").withPartition(1),
                ProducerRecord.of("multi-b", (String) null, "b0").withPartition(0),
                ProducerRecord.of("multi-b", (String) null, "b1").withPartition(1))).blockLast(TIMEOUT);
        ReactiveConsumer<String, String> consumer = client.consumer(ConsumerOptions.strings()
                .topics("multi-a").partitions("multi-b", 1).start(StartPosition.earliest()));
        StepVerifier.create(consumer.receive().map(ReceivedRecord::value).take(3).collectList())
                .assertNext(values -> assertThat(values).containsExactlyInAnyOrder("a0", "a1", "b1"))
                .verifyComplete();
    }

    @Test
    void latestStartSeesOnlyNewRecordsAndTimestampStartSkipsOlderOnes() {
        create("positions", 1);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings());
        producer.send(Flux.range(0, 5).map(i -> ProducerRecord.of("positions", (String) null, "old" + i).withTimestamp(1000L + i))).blockLast(TIMEOUT);

        StepVerifier.create(client.consumer(ConsumerOptions.strings().topics("positions")
                        .start(StartPosition.timestamp(java.time.Instant.ofEpochMilli(1003)))).receive().map(ReceivedRecord::value).take(2))
                .expectNext("old3", "old4")
                .verifyComplete();
        StepVerifier.create(client.consumer(ConsumerOptions.strings().topics("positions").start(StartPosition.offset(1)))
                        .receive().map(ReceivedRecord::offset).take(1))
                .expectNext(1L)
                .verifyComplete();

        // Keep producing until the latest-subscriber sees something: the first thing it sees must be new.
        reactor.core.Disposable newRecords = Flux.interval(Duration.ofMillis(50))
                .concatMap(i -> producer.send(ProducerRecord.of("positions", (String) null, "new" + i))).subscribe();
        try {
            StepVerifier.create(client.consumer(ConsumerOptions.strings().topics("positions")).receive().take(1))
                    .assertNext(r -> {
                        assertThat(r.value()).startsWith("new");
                        assertThat(r.offset()).isGreaterThanOrEqualTo(5);
                    })
                    .expectComplete()
                    .verify(TIMEOUT);
        } finally {
            newRecords.dispose();
        }
    }
}
