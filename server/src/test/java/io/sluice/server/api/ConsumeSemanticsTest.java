package io.sluice.server.api;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.latest;
import static io.sluice.server.testing.Protos.offset;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static io.sluice.server.testing.Protos.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordFormat;
import io.sluice.proto.v1.RecordSet;
import io.sluice.proto.v1.StartPosition;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.Protos;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class ConsumeSemanticsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    BrokerFixture fixture;
    ReactorProducerServiceGrpc.ReactorProducerServiceStub producer;
    ReactorConsumerServiceGrpc.ReactorConsumerServiceStub consumer;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir);
        producer = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());
        consumer = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel());
        AdminServiceGrpc.newBlockingStub(fixture.channel())
                .createTopic(CreateTopicRequest.newBuilder().setName("t").setPartitions(2).build());
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    /** Produces batches of {@code size} records valued "0", "1", ... to partition 0. */
    private void produceBatches(int batches, int size, long timestamp) {
        List<ProduceRequest> requests = new ArrayList<>();
        int n = 0;
        for (int b = 0; b < batches; b++) {
            ProduceRequest.Builder request = produce(b, "t").setPartition(0);
            for (int i = 0; i < size; i++) {
                request.addRecords(record(null, String.valueOf(n++)).toBuilder().setTimestampMs(timestamp + b));
            }
            requests.add(request.build());
        }
        producer.produce(Flux.fromIterable(requests)).blockLast(TIMEOUT);
    }

    private static List<String> values(Batch batch) {
        try {
            List<Record> records = batch.getRecordsCount() > 0 ? batch.getRecordsList()
                    : RecordSet.parseFrom(batch.getBatch().getRecords()).getRecordsList();
            return records.stream().map(r -> Protos.utf8(r.getValue())).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Flux<Batch> batches(Sinks.Many<ConsumeRequest> in) {
        return consumer.consume(in.asFlux()).filter(ConsumeResponse::hasBatch).map(ConsumeResponse::getBatch);
    }

    @Test
    void tailingConsumerGetsANewRecordAtOnce() {
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(subscribe("t", latest(), 1));
        in.tryEmitNext(credit(100, 1 << 20));
        StepVerifier.create(consumer.consume(in.asFlux()))
                .assertNext(r -> assertThat(r.getSubscribed().getPartitions(0).getStartOffset()).isZero())
                .expectNoEvent(Duration.ofMillis(200))
                .then(() -> producer.produce(Flux.just(produce(1, "t", record("k", "hello")).setPartition(1).build()))
                        .subscribe())
                // The append wakes the waiting session; there is no poll interval to wait out.
                .assertNext(r -> assertThat(values(r.getBatch())).containsExactly("hello"))
                .thenCancel()
                .verify(Duration.ofSeconds(2));
    }

    @Test
    void readFromTheMiddleOfABatchStartsAtExactlyThatOffset() {
        produceBatches(3, 10, 1000);
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(subscribe("t", offset(13), 0));
        in.tryEmitNext(credit(5, 1 << 20));
        StepVerifier.create(batches(in))
                .assertNext(b -> {
                    assertThat(b.getBatch().getBaseOffset()).isEqualTo(13);
                    assertThat(b.getBatch().getRecordCount()).isEqualTo(5);
                    assertThat(values(b)).containsExactly("13", "14", "15", "16", "17");
                    assertThat(b.getHighWatermark()).isEqualTo(30);
                })
                .then(() -> in.tryEmitNext(credit(100, 1 << 20)))
                .assertNext(b -> assertThat(values(b)).containsExactly("18", "19"))
                .assertNext(b -> assertThat(b.getBatch().getBaseOffset()).isEqualTo(20))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void byteCreditCutsBatchesAtRecordBoundariesAndOnlyOneLargerRecordOvershoots() {
        produceBatches(1, 10, 1000);
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(subscribe("t", earliest(), 0));
        // Each record is 8 bytes on the wire (tag, length, value "n", timestamp): 17 bytes fit two of them.
        in.tryEmitNext(credit(100, 17));
        StepVerifier.create(batches(in))
                .assertNext(b -> {
                    assertThat(values(b)).containsExactly("0", "1");
                    assertThat(b.getBatch().getRecords().size()).isEqualTo(16);
                })
                .expectNoEvent(Duration.ofMillis(200))
                // One byte of credit still delivers the next record whole: a record is never split.
                .then(() -> in.tryEmitNext(credit(1, 1)))
                .assertNext(b -> assertThat(values(b)).containsExactly("2"))
                .expectNoEvent(Duration.ofMillis(200))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void startAtATimestamp() {
        produceBatches(4, 5, 10_000);
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(subscribe("t", StartPosition.newBuilder().setTimestampMs(10_002).build(), 0));
        in.tryEmitNext(credit(100, 1 << 20));
        StepVerifier.create(batches(in))
                .assertNext(b -> assertThat(b.getBatch().getBaseOffset()).isEqualTo(10))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void plainFormatDeliversDecodedRecordsAndSubscribesToSeveralTopics() {
        AdminServiceGrpc.newBlockingStub(fixture.channel())
                .createTopic(CreateTopicRequest.newBuilder().setName("u").setPartitions(1).build());
        produceBatches(1, 3, 1000);
        producer.produce(Flux.just(produce(9, "u", record("x", "from-u")).build())).blockLast(TIMEOUT);
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(ConsumeRequest.newBuilder().setSubscribe(Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic("t").addPartitions(0))
                .addTopics(TopicSubscription.newBuilder().setTopic("u"))
                .setStart(earliest())
                .setFormat(RecordFormat.RECORD_FORMAT_PLAIN)
                .setInitialCredit(Credit.newBuilder().setRecords(100).setBytes(1 << 20))).build());
        List<Batch> got = batches(in).take(2).collectList().block(TIMEOUT);
        assertThat(got).allSatisfy(b -> assertThat(b.getBatch().getRecords().isEmpty()).isTrue());
        assertThat(got).extracting(Batch::getTopic).containsExactlyInAnyOrder("t", "u");
        assertThat(got.stream().flatMap(b -> values(b).stream())).containsExactlyInAnyOrder("0", "1", "2", "from-u");
    }

    @Test
    void deletingATopicEndsTheStreamsThatReadIt() {
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(subscribe("t", latest()));
        StepVerifier.create(consumer.consume(in.asFlux()))
                .expectNextMatches(ConsumeResponse::hasSubscribed)
                .then(() -> AdminServiceGrpc.newBlockingStub(fixture.channel())
                        .deleteTopic(io.sluice.proto.v1.DeleteTopicRequest.newBuilder().setName("t").build()))
                .expectErrorSatisfies(e -> assertThat(io.grpc.Status.fromThrowable(e).getCode())
                        .isEqualTo(io.grpc.Status.Code.NOT_FOUND))
                .verify(TIMEOUT);
    }

    @Test
    void deletingATopicRemovesItsData() {
        produceBatches(2, 5, 1000);
        var admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
        admin.deleteTopic(io.sluice.proto.v1.DeleteTopicRequest.newBuilder().setName("t").build());
        admin.createTopic(CreateTopicRequest.newBuilder().setName("t").setPartitions(2).build());
        var description = admin.describeTopic(io.sluice.proto.v1.DescribeTopicRequest.newBuilder().setName("t").build());
        assertThat(description.getTopic().getPartitions(0).getEndOffset()).isZero();
    }

    @Test
    void perPartitionStartOffsetsOverrideTheCommonStart() {
        produceBatches(2, 5, 1000);
        producer.produce(Flux.just(produce(50, "t", record(null, "p1-0"), record(null, "p1-1")).setPartition(1).build()))
                .blockLast(TIMEOUT);
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(ConsumeRequest.newBuilder().setSubscribe(Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic("t").putStartOffsets(0, 7))
                .setStart(earliest())
                .setInitialCredit(Credit.newBuilder().setRecords(100).setBytes(1 << 20))).build());
        StepVerifier.create(consumer.consume(in.asFlux()))
                .assertNext(r -> assertThat(r.getSubscribed().getPartitionsList())
                        .extracting(p -> p.getPartition() + "@" + p.getStartOffset()).containsExactly("0@7", "1@0"))
                .expectNextCount(2)
                .thenCancel()
                .verify(TIMEOUT);

        Sinks.Many<ConsumeRequest> wrong = Sinks.many().unicast().onBackpressureBuffer();
        wrong.tryEmitNext(ConsumeRequest.newBuilder().setSubscribe(Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic("t").addPartitions(0).putStartOffsets(1, 0))).build());
        StepVerifier.create(consumer.consume(wrong.asFlux()))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("start_offsets names partition 1"))
                .verify(TIMEOUT);
    }
}
