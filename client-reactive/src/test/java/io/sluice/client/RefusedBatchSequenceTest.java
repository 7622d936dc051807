package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.sluice.proto.v1.Acks;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.server.testing.BrokerFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * An idempotent batch the broker refuses (appending nothing) does not use up its sequence: the partition's
 * later batches are neither refused as out of order nor lost nor duplicated, and keep their order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedBatchSequenceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** The "small" topic's max.message.bytes: a record beyond it is refused with RECORD_TOO_LARGE. */
    private static final int MAX_MESSAGE_BYTES = 200;

    BrokerFixture fixture;
    SluiceClient client;
    SluiceAdmin admin;

    @BeforeAll
    void start(@TempDir Path dir) {
        fixture = BrokerFixture.start(dir);
        client = SluiceClient.connect(fixture.bootstrap());
        admin = client.admin();
    }

    @AfterAll
    void stop() {
        client.close();
        fixture.close();
    }

    @Test
    void aProducerRefusedByAFullBacklogSendsAgainOnceTheBacklogDrains() {
        admin.createTopic("capped", 1, Map.of("backlog.max.records", "3", "backlog.policy", "reject")).block(TIMEOUT);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings());
        for (int i = 0; i < 3; i++) {
            assertThat(producer.send(ProducerRecord.of("capped", "k", "v" + i)).block(TIMEOUT).offset()).isEqualTo(i);
        }
        // Nobody consumes: the backlog is at its limit. Refused twice, with the broker's hint to back off.
        for (int attempt = 0; attempt < 2; attempt++) {
            StepVerifier.create(producer.send(ProducerRecord.of("capped", "k", "v3")))
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(LimitExceededException.class).hasMessageContaining("backlog.max.records=3");
                        assertThat(((LimitExceededException) e).retryAfter()).isEqualTo(Duration.ofSeconds(1));
                    })
                    .verify(TIMEOUT);
        }

        // A group commits everything: the backlog is empty again, and the producer goes on where it stopped.
        admin.commitOffsets("app", "capped", Map.of(0, 3L)).block(TIMEOUT);
        for (int i = 3; i < 6; i++) {
            assertThat(producer.send(ProducerRecord.of("capped", "k", "v" + i)).block(TIMEOUT).offset()).isEqualTo(i);
        }

        // Refused again, then the limit is raised instead.
        StepVerifier.create(producer.send(ProducerRecord.of("capped", "k", "v6"))).verifyError(LimitExceededException.class);
        admin.alterTopicConfigs("capped", Map.of("backlog.max.records", "100"), List.of()).block(TIMEOUT);
        List<SendResult<Void>> more = producer.send(Flux.range(6, 3).map(i -> ProducerRecord.of("capped", "k", "v" + i)))
                .collectList().block(TIMEOUT);
        assertThat(more).extracting(SendResult::offset).containsExactly(6L, 7L, 8L);

        assertThat(log("capped", 0, 9)).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8");
    }

    @Test
    void aSendRefusedWithBatchesInFlightStoresNothingOutOfSightAndTheNextSendGoesOn() {
        admin.createTopic("batches", 1, Map.of("backlog.max.records", "4", "backlog.policy", "reject")).block(TIMEOUT);
        // A record a batch, up to 16 batches in flight (5 to the partition): refused from the fifth on.
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings().batchBytes(1));
        List<Integer> acknowledged = new CopyOnWriteArrayList<>();
        StepVerifier.create(producer.send(Flux.range(0, 20).map(i -> ProducerRecord.of("batches", "k", "v" + i).withCorrelation(i))))
                .thenConsumeWhile(result -> acknowledged.add(result.correlation()))
                .verifyError(LimitExceededException.class);
        assertThat(acknowledged).containsExactly(0, 1, 2, 3);

        admin.commitOffsets("app", "batches", Map.of(0, 4L)).block(TIMEOUT);
        List<SendResult<Integer>> rest = producer.send(Flux.range(4, 4).map(i -> ProducerRecord.of("batches", "k", "v" + i)
                .withCorrelation(i))).collectList().block(TIMEOUT);
        assertThat(rest).extracting(SendResult::offset).containsExactly(4L, 5L, 6L, 7L);
        // Nothing of the refused send was stored out of sight, nothing twice.
        assertThat(endOffset("batches", 0)).isEqualTo(8);
        assertThat(log("batches", 0, 8)).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7");
    }

    @Test
    void theBatchesSentAfterARefusedOneAreAppendedOnceInSendOrder() {
        admin.createTopic("pipelined", 1, Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES))).block(TIMEOUT);
        long producerId = admin.initProducer().block(TIMEOUT);
        try (ProduceStream stream = stream()) {
            // All in flight together: the first appended, the second refused, the rest sent before its answer.
            List<CompletableFuture<ProduceResponse>> sent = sendTogether(stream, List.of(
                    batch("pipelined", 0, producerId, "a"), batch("pipelined", 0, producerId, tooLarge()),
                    batch("pipelined", 0, producerId, "c"), batch("pipelined", 0, producerId, "d"),
                    batch("pipelined", 0, producerId, "e")));

            assertThat(sent.get(0)).succeedsWithin(TIMEOUT).extracting(ProduceResponse::getBaseOffset).isEqualTo(0L);
            assertThat(sent.get(1)).failsWithin(TIMEOUT).withThrowableThat().havingCause()
                    .isInstanceOf(RecordTooLargeException.class);
            for (int i = 2; i < 5; i++) {
                assertThat(sent.get(i)).succeedsWithin(TIMEOUT).satisfies(response -> assertThat(response.getDuplicate()).isFalse())
                        .extracting(ProduceResponse::getBaseOffset).isEqualTo(i - 1L);
            }
            // The next batch follows with no gap.
            assertThat(stream.send(batch("pipelined", 0, producerId, "f"), true).block(TIMEOUT).getBaseOffset()).isEqualTo(4);
        }
        assertThat(endOffset("pipelined", 0)).isEqualTo(5);
        assertThat(log("pipelined", 0, 5)).containsExactly("a", "c", "d", "e", "f");
    }

    @Test
    void aBatchSentWhileItsPartitionRewindsGoesOutAfterTheOnesSentBeforeIt() {
        admin.createTopic("late", 1, Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES))).block(TIMEOUT);
        long producerId = admin.initProducer().block(TIMEOUT);
        try (ProduceStream stream = stream()) {
            CompletableFuture<ProduceResponse> late = new CompletableFuture<>();
            List<CompletableFuture<ProduceResponse>> sent = new ArrayList<>();
            synchronized (stream) {
                sent.add(stream.send(batch("late", 0, producerId, "a"), true).toFuture());
                // Sent when the refusal arrives, before the answers to the batches sent after the refused one.
                sent.add(stream.send(batch("late", 0, producerId, tooLarge()), true)
                        .doOnError(e -> stream.send(batch("late", 0, producerId, "f"), true).subscribe(late::complete,
                                late::completeExceptionally))
                        .toFuture());
                for (String value : List.of("c", "d", "e")) {
                    sent.add(stream.send(batch("late", 0, producerId, value), true).toFuture());
                }
            }

            assertThat(sent.get(1)).failsWithin(TIMEOUT).withThrowableThat().havingCause().isInstanceOf(RecordTooLargeException.class);
            assertThat(late).succeedsWithin(TIMEOUT).extracting(ProduceResponse::getBaseOffset).isEqualTo(4L);
            assertThat(List.of(sent.get(0).join(), sent.get(2).join(), sent.get(3).join(), sent.get(4).join()))
                    .extracting(ProduceResponse::getBaseOffset).containsExactly(0L, 1L, 2L, 3L);
        }
        assertThat(log("late", 0, 5)).containsExactly("a", "c", "d", "e", "f");
    }

    @Test
    void aConnectionLostWhileAPartitionRewindsHoldsNothingUpForever() {
        admin.createTopic("cut", 1, Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES))).block(TIMEOUT);
        admin.createTopic("other", 1).block(TIMEOUT);
        // A full backlog that blocks: a batch for it waits in the broker, and so do the answers after it.
        admin.createTopic("blocking", 1, Map.of("backlog.max.records", "1", "backlog.policy", "block")).block(TIMEOUT);
        client.producer(ProducerOptions.strings()).send(ProducerRecord.of("blocking", "k", "filler")).block(TIMEOUT);
        long producerId = admin.initProducer().block(TIMEOUT);
        try (TcpProxy proxy = TcpProxy.to(fixture.port())) {
            ManagedChannel channel = NettyChannelBuilder.forTarget(proxy.bootstrap()).usePlaintext().build();
            try (ProduceStream stream = stream(channel)) {
                List<CompletableFuture<ProduceResponse>> sent = sendTogether(stream, List.of(
                        batch("cut", 0, producerId, "a"), batch("cut", 0, producerId, tooLarge()),
                        batch("cut", 0, producerId, "c"), batch("other", 0, producerId, "other"),
                        batch("blocking", 0, producerId, "waits"),
                        batch("cut", 0, producerId, "d"), batch("cut", 0, producerId, "e")));
                // "c" came back out of order, to be sent again after the rewind; "d" and "e" are not answered
                // while "waits" waits. The connection is lost: all three are still owed an answer.
                assertThat(sent.get(3)).succeedsWithin(TIMEOUT);
                assertThat(sent.get(1)).isCompletedExceptionally();
                assertThat(proxy.cutAll()).isPositive();

                admin.commitOffsets("app", "blocking", Map.of(0, 1L)).block(TIMEOUT);
                assertThat(sent.get(4)).succeedsWithin(TIMEOUT).extracting(ProduceResponse::getBaseOffset).isEqualTo(1L);
                assertThat(List.of(sent.get(0), sent.get(2), sent.get(5), sent.get(6)))
                        .allSatisfy(f -> assertThat(f).succeedsWithin(TIMEOUT));
                assertThat(List.of(sent.get(0).join(), sent.get(2).join(), sent.get(5).join(), sent.get(6).join()))
                        .extracting(ProduceResponse::getBaseOffset).containsExactly(0L, 1L, 2L, 3L);
            } finally {
                channel.shutdownNow();
            }
        }
        assertThat(endOffset("cut", 0)).isEqualTo(4);
        assertThat(log("cut", 0, 4)).containsExactly("a", "c", "d", "e");
    }

    @Test
    void aBatchRefusedWhileItsPartitionRewindsFailsWithItsOwnReason() {
        admin.createTopic("twice", 1, Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES))).block(TIMEOUT);
        long producerId = admin.initProducer().block(TIMEOUT);
        try (ProduceStream stream = stream()) {
            List<CompletableFuture<ProduceResponse>> sent = sendTogether(stream, List.of(
                    batch("twice", 0, producerId, "a"), batch("twice", 0, producerId, tooLarge()),
                    batch("twice", 0, producerId, "c"), batch("twice", 0, producerId, tooLarge()),
                    batch("twice", 0, producerId, "e")));

            assertThat(sent.get(1)).failsWithin(TIMEOUT).withThrowableThat().havingCause().isInstanceOf(RecordTooLargeException.class);
            assertThat(sent.get(3)).failsWithin(TIMEOUT).withThrowableThat().havingCause().isInstanceOf(RecordTooLargeException.class);
            assertThat(List.of(sent.get(0), sent.get(2), sent.get(4))).allSatisfy(f -> assertThat(f).succeedsWithin(TIMEOUT));
            assertThat(List.of(sent.get(0).join(), sent.get(2).join(), sent.get(4).join()))
                    .extracting(ProduceResponse::getBaseOffset).containsExactly(0L, 1L, 2L);
            assertThat(stream.send(batch("twice", 0, producerId, "f"), true).block(TIMEOUT).getBaseOffset()).isEqualTo(3);
        }
        assertThat(log("twice", 0, 4)).containsExactly("a", "c", "e", "f");
    }

    @Test
    void whenAProducersFirstBatchOfAPartitionIsRefusedTheBatchesAfterItKeepTheirPlace() {
        admin.createTopic("first", 1, Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES))).block(TIMEOUT);
        long producerId = admin.initProducer().block(TIMEOUT);
        try (ProduceStream stream = stream()) {
            // The broker knows nothing of this producer yet, so it takes the batches after the refused one as
            // they are (sequences 1..3): the partition must go on from 4, not from the refused 0.
            List<CompletableFuture<ProduceResponse>> sent = sendTogether(stream, List.of(
                    batch("first", 0, producerId, tooLarge()), batch("first", 0, producerId, "b"),
                    batch("first", 0, producerId, "c"), batch("first", 0, producerId, "d")));

            assertThat(sent.get(0)).failsWithin(TIMEOUT).withThrowableThat().havingCause().isInstanceOf(RecordTooLargeException.class);
            for (int i = 1; i < 4; i++) {
                assertThat(sent.get(i)).succeedsWithin(TIMEOUT).extracting(ProduceResponse::getBaseOffset).isEqualTo(i - 1L);
            }
            assertThat(stream.send(batch("first", 0, producerId, "e"), true).block(TIMEOUT).getBaseOffset()).isEqualTo(3);
        }
        assertThat(log("first", 0, 4)).containsExactly("b", "c", "d", "e");
    }

    @Test
    void otherPartitionsBatchesAreNeitherHeldUpForeverNorSentTwice() {
        admin.createTopic("shared", 2, Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES))).block(TIMEOUT);
        long producerId = admin.initProducer().block(TIMEOUT);
        try (ProduceStream stream = stream()) {
            // Partition 0's second batch is refused; partition 1's batches (and one without idempotence) are
            // interleaved with partition 0's on the same stream.
            List<CompletableFuture<ProduceResponse>> sent = sendTogether(stream, List.of(
                    batch("shared", 0, producerId, "p0-a"), batch("shared", 1, producerId, "p1-a"),
                    batch("shared", 0, producerId, tooLarge()), batch("shared", 1, producerId, "p1-b"),
                    batch("shared", 0, producerId, "p0-c"), batch("shared", 1, 0, "p1-plain"),
                    batch("shared", 0, producerId, "p0-d"), batch("shared", 1, producerId, "p1-c")));

            assertThat(sent.get(2)).failsWithin(TIMEOUT).withThrowableThat().havingCause().isInstanceOf(RecordTooLargeException.class);
            List<ProduceResponse> partition1 = new ArrayList<>();
            for (int i : new int[] {1, 3, 5, 7}) {
                assertThat(sent.get(i)).succeedsWithin(TIMEOUT);
                partition1.add(sent.get(i).join());
            }
            // Answered on the stream they were first sent on: not resent, so no answer is a duplicate.
            assertThat(partition1).extracting(ProduceResponse::getBaseOffset).containsExactly(0L, 1L, 2L, 3L);
            assertThat(partition1).noneMatch(ProduceResponse::getDuplicate);
            assertThat(List.of(sent.get(0).join(), sent.get(4).join(), sent.get(6).join()))
                    .extracting(ProduceResponse::getBaseOffset).containsExactly(0L, 1L, 2L);
        }
        assertThat(log("shared", 1, 4)).containsExactly("p1-a", "p1-b", "p1-plain", "p1-c");
        assertThat(endOffset("shared", 1)).isEqualTo(4);
        assertThat(log("shared", 0, 3)).containsExactly("p0-a", "p0-c", "p0-d");
    }

    private ProduceStream stream() {
        return stream(fixture.channel());
    }

    private static ProduceStream stream(Channel channel) {
        return new ProduceStream(ReactorProducerServiceGrpc.newReactorStub(channel), CreditExhausted.WAIT,
                dropped -> { }, RetryPolicy.DEFAULT, Duration.ofSeconds(30), id -> { });
    }

    /**
     * Sends the batches with the stream's lock held (it locks itself), so no answer is handled before all of
     * them are handed over: they go out together, and the broker answers the first only after all were sent.
     */
    private static List<CompletableFuture<ProduceResponse>> sendTogether(ProduceStream stream, List<ProduceRequest.Builder> batches) {
        List<CompletableFuture<ProduceResponse>> sent = new ArrayList<>();
        synchronized (stream) {
            batches.forEach(batch -> sent.add(stream.send(batch, true).toFuture()));
        }
        return sent;
    }

    private static ProduceRequest.Builder batch(String topic, int partition, long producerId, String value) {
        return ProduceRequest.newBuilder().setTopic(topic).setPartition(partition).setAcks(Acks.ACKS_LEADER)
                .setProducerId(producerId)
                .addRecords(Record.newBuilder().setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)));
    }

    private static String tooLarge() {
        return "x".repeat(MAX_MESSAGE_BYTES * 2);
    }

    private long endOffset(String topic, int partition) {
        return admin.describeTopic(topic).block(TIMEOUT).partitions().get(partition).endOffset();
    }

    /** The partition's first {@code count} values, read from the start. */
    private List<String> log(String topic, int partition, int count) {
        return client.consumer(ConsumerOptions.strings().topics(topic).start(StartPosition.earliest()))
                .receive().filter(r -> r.partition() == partition).take(count).map(ReceivedRecord::value)
                .collectList().block(TIMEOUT);
    }
}
