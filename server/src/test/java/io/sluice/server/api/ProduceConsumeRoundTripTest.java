package io.sluice.server.api;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static io.sluice.server.testing.Protos.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordSet;
import io.sluice.proto.v1.ReactorAdminServiceGrpc;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.Protos;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class ProduceConsumeRoundTripTest {
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
        ReactorAdminServiceGrpc.newReactorStub(fixture.channel())
                .createTopic(CreateTopicRequest.newBuilder().setName("orders").setPartitions(3).build())
                .block(Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void recordsComeBackInOrderPerPartitionWithContiguousOffsets() {
        List<ProduceRequest> requests = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            requests.add(produce(i, "orders", record("k" + (i % 7), "v" + i)).build());
        }
        List<ProduceResponse> responses = producer.produce(Flux.fromIterable(requests))
                .collectList().block(Duration.ofSeconds(20));
        assertThat(responses).hasSize(300);
        assertThat(responses).allSatisfy(r -> assertThat(r.getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE));
        assertThat(responses).extracting(ProduceResponse::getRequestId)
                .containsExactlyElementsOf(requests.stream().map(ProduceRequest::getRequestId).toList());
        Map<Integer, Long> expectedNext = new HashMap<>();
        for (ProduceResponse r : responses) {
            long expected = expectedNext.getOrDefault(r.getPartition(), 0L);
            assertThat(r.getBaseOffset()).isEqualTo(expected);
            expectedNext.put(r.getPartition(), expected + r.getRecordCount());
        }

        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(subscribe("orders", earliest()));
        in.tryEmitNext(credit(1000, 1 << 20));
        List<Batch> batches = consumer.consume(in.asFlux())
                .filter(ConsumeResponse::hasBatch).map(ConsumeResponse::getBatch)
                .scan(new ArrayList<Batch>(), (acc, b) -> {
                    acc.add(b);
                    return acc;
                })
                .takeUntil(acc -> acc.stream().mapToInt(b -> b.getBatch().getRecordCount()).sum() >= 300)
                .last().block(Duration.ofSeconds(20));
        Map<Integer, List<String>> valuesByPartition = new HashMap<>();
        Map<Integer, Long> nextOffset = new HashMap<>();
        for (Batch b : batches) {
            assertThat(b.getBatch().getBaseOffset()).isEqualTo(nextOffset.getOrDefault(b.getPartition(), 0L));
            nextOffset.put(b.getPartition(), b.getBatch().getBaseOffset() + b.getBatch().getRecordCount());
            for (Record r : decode(b)) {
                valuesByPartition.computeIfAbsent(b.getPartition(), p -> new ArrayList<>()).add(Protos.utf8(r.getValue()));
            }
        }
        // Each key maps to one partition, and values appear in produce order within it.
        for (List<String> values : valuesByPartition.values()) {
            List<Integer> seq = values.stream().map(v -> Integer.parseInt(v.substring(1))).toList();
            assertThat(seq).isSorted();
        }
        assertThat(valuesByPartition.values().stream().mapToInt(List::size).sum()).isEqualTo(300);
        in.tryEmitComplete();
    }

    @Test
    void creditOfTenDeliversExactlyTenUntilMoreIsGranted() {
        List<ProduceRequest> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Record[] records = new Record[10];
            for (int j = 0; j < 10; j++) {
                records[j] = record(null, "v" + (i * 10 + j));
            }
            requests.add(produce(i, "orders", records).setPartition(0).build());
        }
        producer.produce(Flux.fromIterable(requests)).blockLast(Duration.ofSeconds(10));

        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(subscribe("orders", earliest(), 0));
        in.tryEmitNext(credit(10, 1 << 20));
        StepVerifier.create(consumer.consume(in.asFlux()).filter(ConsumeResponse::hasBatch)
                        .map(r -> r.getBatch().getBatch().getRecordCount()))
                .expectNext(10)
                .expectNoEvent(Duration.ofMillis(300))
                .then(() -> in.tryEmitNext(credit(3, 1 << 20)))
                .expectNext(3)
                .expectNoEvent(Duration.ofMillis(300))
                .then(in::tryEmitComplete)
                .verifyComplete();
    }

    private static List<Record> decode(Batch batch) {
        try {
            return RecordSet.parseFrom(batch.getBatch().getRecords()).getRecordsList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
