package io.sluice.server.api;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static io.sluice.server.testing.Protos.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.Protos;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/** 8 producers and 8 consumers at once on one topic: nothing lost, duplicated or reordered per partition. */
class ConcurrentClientsTest {
    private static final int PRODUCERS = 8;
    private static final int CONSUMERS = 8;
    private static final int BATCHES = 300;
    private static final int BATCH_SIZE = 5;
    private static final int TOTAL = PRODUCERS * BATCHES * BATCH_SIZE;

    @TempDir
    Path dir;

    @Test
    void eightProducersAndEightConsumers() {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            AdminServiceGrpc.newBlockingStub(fixture.channel())
                    .createTopic(CreateTopicRequest.newBuilder().setName("busy").setPartitions(4).build());
            List<ManagedChannel> channels = new ArrayList<>();
            for (int i = 0; i < PRODUCERS + CONSUMERS; i++) {
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", fixture.port()).usePlaintext().build());
            }
            List<Mono<List<Batch>>> consumers = new ArrayList<>();
            for (int c = 0; c < CONSUMERS; c++) {
                Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
                in.tryEmitNext(subscribe("busy", earliest()));
                // Credit in small grants, as a real client would, replenished as batches arrive.
                in.tryEmitNext(credit(200, 64 << 10));
                consumers.add(ReactorConsumerServiceGrpc.newReactorStub(channels.get(PRODUCERS + c))
                        .consume(in.asFlux())
                        .filter(ConsumeResponse::hasBatch).map(ConsumeResponse::getBatch)
                        .doOnNext(b -> in.tryEmitNext(credit(b.getBatch().getRecordCount(), 64 << 10)))
                        .scan(new ArrayList<Batch>(), (acc, b) -> {
                            acc.add(b);
                            return acc;
                        })
                        .takeUntil(acc -> acc.stream().mapToInt(b -> b.getBatch().getRecordCount()).sum() >= TOTAL)
                        .last()
                        .map(acc -> (List<Batch>) acc)
                        .doFinally(s -> in.tryEmitComplete())
                        .subscribeOn(Schedulers.parallel()));
            }
            List<Mono<List<ProduceResponse>>> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int producer = p;
                Flux<ProduceRequest> requests = Flux.range(0, BATCHES).map(b -> {
                    ProduceRequest.Builder request = produce(b, "busy");
                    String key = "p" + producer + "-k" + (b % 3);
                    for (int i = 0; i < BATCH_SIZE; i++) {
                        request.addRecords(record(key, key + ":" + (b * BATCH_SIZE + i)));
                    }
                    return request.build();
                });
                producers.add(ReactorProducerServiceGrpc.newReactorStub(channels.get(p)).produce(requests)
                        .collectList().subscribeOn(Schedulers.parallel()));
            }
            Mono<List<List<Batch>>> consumed = Flux.merge(consumers).collectList().cache();
            consumed.subscribe();
            List<List<ProduceResponse>> produced = Flux.merge(producers).collectList().block(Duration.ofSeconds(120));
            assertThat(produced).allSatisfy(responses -> {
                assertThat(responses).hasSize(BATCHES);
                assertThat(responses).allSatisfy(r -> assertThat(r.getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE));
            });
            for (List<Batch> batches : consumed.block(Duration.ofSeconds(120))) {
                assertExactlyOnceInOrder(batches);
            }
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    private static void assertExactlyOnceInOrder(List<Batch> batches) {
        Map<Integer, Long> nextOffset = new HashMap<>();
        Map<String, Integer> lastSeqByKey = new HashMap<>();
        int records = 0;
        for (Batch batch : batches) {
            assertThat(batch.getBatch().getBaseOffset()).isEqualTo(nextOffset.getOrDefault(batch.getPartition(), 0L));
            nextOffset.put(batch.getPartition(), batch.getBatch().getBaseOffset() + batch.getBatch().getRecordCount());
            for (Record r : decode(batch)) {
                String[] keyAndSeq = Protos.utf8(r.getValue()).split(":");
                int seq = Integer.parseInt(keyAndSeq[1]);
                Integer last = lastSeqByKey.put(keyAndSeq[0], seq);
                assertThat(last == null || seq > last).as("order of key %s", keyAndSeq[0]).isTrue();
                records++;
            }
        }
        assertThat(records).isEqualTo(TOTAL);
    }

    private static List<Record> decode(Batch batch) {
        try {
            return RecordSet.parseFrom(batch.getBatch().getRecords()).getRecordsList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
