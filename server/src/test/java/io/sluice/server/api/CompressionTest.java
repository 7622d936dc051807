package io.sluice.server.api;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.offset;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.Compression;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.Protos;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** The broker validates compressed batches uncompressed, stores and serves them as produced. */
class CompressionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static BrokerFixture fixture;
    static ReactorProducerServiceGrpc.ReactorProducerServiceStub producer;
    static ReactorConsumerServiceGrpc.ReactorConsumerServiceStub consumer;

    @BeforeAll
    static void start() {
        fixture = BrokerFixture.start(dir);
        producer = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());
        consumer = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static ByteString recordSet(int count, int valueBytes) {
        RecordSet.Builder set = RecordSet.newBuilder();
        for (int i = 0; i < count; i++) {
            set.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(("v" + i + "-").repeat(valueBytes)
                    .substring(0, valueBytes))).setTimestampMs(1000 + i));
        }
        return set.build().toByteString();
    }

    private static ProduceResponse send(String topic, Compression codec, ByteString records, int count) {
        return producer.produce(Flux.just(produce(1, topic).setPartition(0).setBatch(RecordBatch.newBuilder()
                .setRecordCount(count).setCompression(codec).setRecords(BatchCodec.compress(codec, records))).build()))
                .blockLast(TIMEOUT);
    }

    private static void create(String topic, Map<String, String> configs) {
        AdminServiceGrpc.newBlockingStub(fixture.channel())
                .createTopic(CreateTopicRequest.newBuilder().setName(topic).setPartitions(1).putAllConfigs(configs).build());
    }

    private static List<Batch> consume(String topic, long from, long records) {
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(subscribe(topic, offset(from), 0));
        in.tryEmitNext(credit(records, 1 << 20));
        List<Batch> batches = consumer.consume(in.asFlux()).filter(ConsumeResponse::hasBatch).map(ConsumeResponse::getBatch)
                .take(1).collectList().block(TIMEOUT);
        in.tryEmitComplete();
        return batches;
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"COMPRESSION_GZIP", "COMPRESSION_LZ4", "COMPRESSION_ZSTD", "COMPRESSION_SNAPPY"})
    void compressedBatchesAreStoredAndServedAsProducedAndCutUncompressed(Compression codec) throws Exception {
        String topic = "c-" + codec.name().toLowerCase().replace("compression_", "");
        create(topic, Map.of());
        ByteString records = recordSet(100, 50);
        ProduceResponse ack = send(topic, codec, records, 100);
        assertThat(ack.getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE);
        assertThat(ack.getRecordCount()).isEqualTo(100);

        Batch whole = consume(topic, 0, 1000).get(0);
        assertThat(whole.getBatch().getCompression()).isEqualTo(codec);
        assertThat(whole.getBatch().getRecords()).isEqualTo(BatchCodec.compress(codec, records));
        assertThat(BatchCodec.decompress(codec, whole.getBatch().getRecords())).isEqualTo(records);

        // From the middle and within a small credit: exactly those records, uncompressed.
        Batch cut = consume(topic, 40, 5).get(0);
        assertThat(cut.getBatch().getCompression()).isEqualTo(Compression.COMPRESSION_NONE);
        assertThat(cut.getBatch().getBaseOffset()).isEqualTo(40);
        assertThat(RecordSet.parseFrom(cut.getBatch().getRecords()).getRecordsList())
                .extracting(r -> Protos.utf8(r.getValue()).substring(0, 4)).containsExactly("v40-", "v41-", "v42-", "v43-", "v44-");
    }

    @Test
    void plainDeliveryDecompressesForClientsWithoutACodec() {
        create("plain-lz4", Map.of());
        ByteString records = recordSet(20, 30);
        assertThat(send("plain-lz4", Compression.COMPRESSION_LZ4, records, 20).getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE);
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(ConsumeRequest.newBuilder().setSubscribe(io.sluice.proto.v1.Subscribe.newBuilder()
                .addTopics(io.sluice.proto.v1.TopicSubscription.newBuilder().setTopic("plain-lz4"))
                .setStart(offset(0))
                .setFormat(io.sluice.proto.v1.RecordFormat.RECORD_FORMAT_PLAIN)
                .setInitialCredit(io.sluice.proto.v1.Credit.newBuilder().setRecords(100).setBytes(1 << 20))).build());
        Batch batch = consumer.consume(in.asFlux()).filter(ConsumeResponse::hasBatch).map(ConsumeResponse::getBatch)
                .blockFirst(TIMEOUT);
        in.tryEmitComplete();
        assertThat(batch.getBatch().getCompression()).isEqualTo(Compression.COMPRESSION_NONE);
        assertThat(batch.getRecordsList()).hasSize(20);
        assertThat(Protos.utf8(batch.getRecords(19).getValue())).startsWith("v19-");
    }

    @Test
    void sizeLimitsApplyToUncompressedRecordsAndGarbageIsRejected() {
        create("limits", Map.of("max.message.bytes", "1000"));
        // 2000 highly compressible bytes: tiny compressed, too large uncompressed.
        ProduceResponse tooLarge = send("limits", Compression.COMPRESSION_ZSTD, recordSet(1, 2000), 1);
        assertThat(tooLarge.getErrorCode()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
        assertThat(tooLarge.getErrorMessage()).contains("max.message.bytes=1000");

        ProduceResponse garbage = producer.produce(Flux.just(produce(2, "limits").setPartition(0).setBatch(RecordBatch.newBuilder()
                .setRecordCount(1).setCompression(Compression.COMPRESSION_LZ4)
                .setRecords(ByteString.copyFromUtf8("not lz4 at all"))).build())).blockLast(TIMEOUT);
        assertThat(garbage.getErrorCode()).isEqualTo(ErrorCode.INVALID_BATCH);
        assertThat(garbage.getErrorMessage()).contains("COMPRESSION_LZ4");

        ProduceResponse wrongCount = send("limits", Compression.COMPRESSION_GZIP, recordSet(3, 10), 4);
        assertThat(wrongCount.getErrorCode()).isEqualTo(ErrorCode.INVALID_BATCH);
        assertThat(wrongCount.getErrorMessage()).contains("record_count=4", "holds 3");
    }
}
