package io.sluice.server.api;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.offset;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static io.sluice.server.testing.Protos.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.AlterTopicConfigsRequest;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.DeleteTopicRequest;
import io.sluice.proto.v1.DescribeTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Every kind of bad input gets a precise status and message, and the broker keeps serving. */
class BadInputTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static BrokerFixture fixture;
    static AdminServiceGrpc.AdminServiceBlockingStub admin;
    static ReactorProducerServiceGrpc.ReactorProducerServiceStub producer;
    static ReactorConsumerServiceGrpc.ReactorConsumerServiceStub consumer;

    @BeforeAll
    static void start() {
        fixture = BrokerFixture.start(dir, Map.of(BrokerConfig.MAX_INBOUND_MESSAGE_BYTES, String.valueOf(64 * 1024),
                BrokerConfig.MAX_PARTITIONS, "16"));
        admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
        producer = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());
        consumer = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel());
        admin.createTopic(CreateTopicRequest.newBuilder().setName("events").setPartitions(3)
                .putConfigs("max.message.bytes", "1000").build());
    }

    @AfterAll
    static void stop() {
        // Whatever was thrown at it, the broker still serves: a produce and a consume work.
        ProduceResponse ok = producer.produce(Flux.just(produce(1, "events", record("k", "v")).setPartition(1).build()))
                .blockLast(TIMEOUT);
        assertThat(ok.getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE);
        fixture.close();
    }

    private static ProduceResponse produceOne(ProduceRequest request) {
        return producer.produce(Flux.just(request)).blockLast(TIMEOUT);
    }

    private static void assertProduceError(ProduceRequest request, ErrorCode code, Status.Code status, String... words) {
        ProduceResponse response = produceOne(request);
        assertThat(response.getErrorCode()).isEqualTo(code);
        assertThat(response.getStatusCode()).isEqualTo(status.value());
        assertThat(response.getRequestId()).isEqualTo(request.getRequestId());
        assertThat(response.getErrorMessage()).contains(words);
    }

    private static void assertStatus(Runnable call, Status.Code code, String... words) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(words);
        });
    }

    private static void assertConsumeFails(List<ConsumeRequest> requests, Status.Code code, String... words) {
        StepVerifier.create(consumer.consume(Flux.fromIterable(requests).concatWith(Flux.never())))
                .thenConsumeWhile(ConsumeResponse::hasSubscribed)
                .expectErrorSatisfies(e -> {
                    Status status = Status.fromThrowable(e);
                    assertThat(status.getCode()).isEqualTo(code);
                    assertThat(status.getDescription()).contains(words);
                })
                .verify(TIMEOUT);
    }

    @Test
    void unknownTopic() {
        assertProduceError(produce(7, "nope", record("k", "v")).build(), ErrorCode.UNKNOWN_TOPIC, Status.Code.NOT_FOUND,
                "'nope'", "does not exist");
        assertConsumeFails(List.of(subscribe("nope", earliest())), Status.Code.NOT_FOUND, "'nope'");
        assertStatus(() -> admin.describeTopic(DescribeTopicRequest.newBuilder().setName("nope").build()),
                Status.Code.NOT_FOUND, "'nope'");
        assertStatus(() -> admin.deleteTopic(DeleteTopicRequest.newBuilder().setName("nope").build()),
                Status.Code.NOT_FOUND, "'nope'");
    }

    @Test
    void invalidTopicNames() {
        for (String name : List.of("", ".", "..", "bad/name", "spaces are bad", "x".repeat(250))) {
            assertStatus(() -> admin.createTopic(CreateTopicRequest.newBuilder().setName(name).setPartitions(1).build()),
                    Status.Code.INVALID_ARGUMENT, "INVALID_TOPIC_NAME", "Invalid topic name");
        }
        assertProduceError(produce(2, "bad/name", record("k", "v")).build(), ErrorCode.INVALID_TOPIC_NAME,
                Status.Code.INVALID_ARGUMENT, "bad/name");
        // The longest legal name works.
        admin.createTopic(CreateTopicRequest.newBuilder().setName("a".repeat(249)).setPartitions(1).build());
    }

    @Test
    void partitionOutOfRange() {
        assertProduceError(produce(3, "events", record("k", "v")).setPartition(3).build(), ErrorCode.INVALID_PARTITION,
                Status.Code.INVALID_ARGUMENT, "Partition 3", "0..2");
        assertProduceError(produce(4, "events", record("k", "v")).setPartition(-1).build(), ErrorCode.INVALID_PARTITION,
                Status.Code.INVALID_ARGUMENT, "Partition -1");
        assertConsumeFails(List.of(subscribe("events", earliest(), 9)), Status.Code.INVALID_ARGUMENT, "Partition 9");
    }

    @Test
    void partitionCountOutsideLimits() {
        for (int count : new int[] {0, -3, 17}) {
            assertStatus(() -> admin.createTopic(CreateTopicRequest.newBuilder().setName("p" + Math.abs(count))
                            .setPartitions(count).build()),
                    Status.Code.INVALID_ARGUMENT, "partition count " + count, "between 1 and 16");
        }
    }

    @Test
    void recordAboveMaxMessageBytesNamesLimitAndSize() {
        Record big = Record.newBuilder().setValue(ByteString.copyFrom(new byte[2000])).build();
        ProduceRequest tooLarge = produce(5, "events").addRecords(record("a", "small")).addRecords(big).setPartition(0).build();
        ProduceRequest fine = produce(6, "events", record("a", "small")).setPartition(0).build();
        // The bad batch fails alone; the stream stays open and the next batch on it succeeds.
        List<ProduceResponse> responses = producer.produce(Flux.just(tooLarge, fine)).collectList().block(TIMEOUT);
        assertThat(responses).hasSize(2);
        assertThat(responses.get(0).getErrorCode()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
        assertThat(responses.get(0).getStatusCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        // The size is the serialized record: 2000 value bytes plus field overhead and the stamped timestamp.
        assertThat(responses.get(0).getErrorMessage()).contains("max.message.bytes=1000")
                .containsPattern("Record 1 is 20[0-9][0-9] bytes");
        assertThat(responses.get(1).getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE);
    }

    @Test
    void requestAboveInboundLimitIsResourceExhausted() {
        ProduceRequest huge = produce(8, "events")
                .addRecords(Record.newBuilder().setValue(ByteString.copyFrom(new byte[100 * 1024]))).build();
        StepVerifier.create(producer.produce(Flux.just(huge).concatWith(Flux.never())))
                .expectErrorSatisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
                .verify(TIMEOUT);
    }

    @Test
    void emptyBatches() {
        assertProduceError(produce(9, "events").build(), ErrorCode.INVALID_BATCH, Status.Code.INVALID_ARGUMENT,
                "Empty batch", "'events'");
        assertProduceError(produce(10, "events").setBatch(RecordBatch.newBuilder().setRecordCount(0)).build(),
                ErrorCode.INVALID_BATCH, Status.Code.INVALID_ARGUMENT, "Empty batch");
    }

    @Test
    void malformedEncodedBatches() {
        assertProduceError(produce(11, "events").setBatch(RecordBatch.newBuilder().setRecordCount(1)
                        .setRecords(ByteString.copyFromUtf8("not a record set"))).build(),
                ErrorCode.INVALID_BATCH, Status.Code.INVALID_ARGUMENT, "not a valid RecordSet");
        ByteString two = io.sluice.proto.v1.RecordSet.newBuilder().addRecords(record("a", "1")).addRecords(record("b", "2"))
                .build().toByteString();
        assertProduceError(produce(12, "events").setBatch(RecordBatch.newBuilder().setRecordCount(3).setRecords(two)).build(),
                ErrorCode.INVALID_BATCH, Status.Code.INVALID_ARGUMENT, "record_count=3", "holds 2");
    }

    @Test
    void negativeAndOutOfRangeOffsets() {
        assertConsumeFails(List.of(subscribe("events", offset(-1))), Status.Code.INVALID_ARGUMENT, "INVALID_OFFSET",
                "-1 is negative");
        assertConsumeFails(List.of(subscribe("events", offset(1_000_000), 2)), Status.Code.OUT_OF_RANGE, "1000000",
                "events-2");
    }

    @Test
    void creditOfZeroOrBelow() {
        assertConsumeFails(List.of(subscribe("events", earliest()), credit(0, 100)), Status.Code.INVALID_ARGUMENT,
                "INVALID_CREDIT", "records=0");
        assertConsumeFails(List.of(subscribe("events", earliest()), credit(10, -5)), Status.Code.INVALID_ARGUMENT,
                "INVALID_CREDIT", "bytes=-5");
    }

    @Test
    void firstConsumeMessageMustSubscribe() {
        assertConsumeFails(List.of(credit(10, 100)), Status.Code.INVALID_ARGUMENT, "PROTOCOL_VIOLATION",
                "first ConsumeRequest must be a Subscribe");
        assertConsumeFails(List.of(ConsumeRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT, "PROTOCOL_VIOLATION");
        assertConsumeFails(List.of(subscribe("events", earliest()), subscribe("events", earliest())),
                Status.Code.INVALID_ARGUMENT, "only once");
    }

    @Test
    void topicCreatedTwice() {
        assertStatus(() -> admin.createTopic(CreateTopicRequest.newBuilder().setName("events").setPartitions(1).build()),
                Status.Code.ALREADY_EXISTS, "'events' already exists");
    }

    @Test
    void unknownConfigsAndValuesOutOfRange() {
        assertStatus(() -> admin.createTopic(CreateTopicRequest.newBuilder().setName("c1").setPartitions(1)
                .putConfigs("retention.hours", "5").build()), Status.Code.INVALID_ARGUMENT, "Unknown config 'retention.hours'");
        assertStatus(() -> admin.createTopic(CreateTopicRequest.newBuilder().setName("c2").setPartitions(1)
                .putConfigs("retention.ms", "-7").build()), Status.Code.INVALID_ARGUMENT, "retention.ms", ">= -1");
        assertStatus(() -> admin.createTopic(CreateTopicRequest.newBuilder().setName("c3").setPartitions(1)
                .putConfigs("max.message.bytes", "lots").build()), Status.Code.INVALID_ARGUMENT, "max.message.bytes", "'lots'");
        assertStatus(() -> admin.alterTopicConfigs(AlterTopicConfigsRequest.newBuilder().setName("events")
                .putSet("durability", "sometimes").build()), Status.Code.INVALID_ARGUMENT, "durability", "async, fsync");
        // A rejected change changes nothing.
        assertThat(admin.describeTopic(DescribeTopicRequest.newBuilder().setName("events").build())
                .getTopic().getConfigsMap()).containsEntry("durability", "async").containsEntry("max.message.bytes", "1000");
    }
}
