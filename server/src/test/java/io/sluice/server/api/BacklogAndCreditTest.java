package io.sluice.server.api;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static io.sluice.server.testing.Protos.subscribe;
import static io.sluice.server.testing.Protos.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.CommitOffsetsRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.FetchCommittedOffsetsRequest;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.ResponseKind;
import io.sluice.proto.v1.ThrottleReason;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** Backlog limits (reject and block), committed offsets, and producer credit, against a real broker. */
class BacklogAndCreditTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    BrokerFixture fixture;
    AdminServiceGrpc.AdminServiceBlockingStub admin;
    ReactorProducerServiceGrpc.ReactorProducerServiceStub producer;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir, Map.of(BrokerConfig.PRODUCE_CREDIT_RECORDS, "20",
                BrokerConfig.PRODUCE_THROTTLE_RECHECK_MS, "20"));
        admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
        producer = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private void createTopic(String name, Map<String, String> configs) {
        admin.createTopic(CreateTopicRequest.newBuilder().setName(name).setPartitions(1).putAllConfigs(configs).build());
    }

    private static ProduceRequest batch(long id, String topic, int from, int count) {
        Record[] records = IntStream.range(from, from + count).mapToObj(i -> record(null, "r" + i)).toArray(Record[]::new);
        return produce(id, topic, records).setPartition(0).build();
    }

    private void commit(String group, String topic, long offset) {
        admin.commitOffsets(CommitOffsetsRequest.newBuilder().setGroup(group).setTopic(topic).putOffsets(0, offset).build());
    }

    private List<String> readAll(String topic, int count) {
        return ReactorConsumerServiceGrpc.newReactorStub(fixture.channel())
                .consume(Flux.just(subscribe(topic, earliest()), credit(10_000, 1 << 20)).concatWith(Flux.never()))
                .filter(ConsumeResponse::hasBatch)
                .flatMapIterable(r -> r.getBatch().getRecordsList().isEmpty()
                        ? decode(r.getBatch().getBatch().getRecords()) : r.getBatch().getRecordsList())
                .map(r -> utf8(r.getValue()))
                .take(count)
                .collectList()
                .block(TIMEOUT);
    }

    private static List<Record> decode(com.google.protobuf.ByteString bytes) {
        try {
            return io.sluice.proto.v1.RecordSet.parseFrom(bytes).getRecordsList();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> values(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "r" + i).toList();
    }

    @Test
    void rejectPolicyRefusesPastTheLimitNamingItAndResumesOnceAGroupCommits() {
        createTopic("rej", Map.of("backlog.max.records", "50", "backlog.policy", "reject"));
        // One batch at a time: a batch admitted while the previous one is being acknowledged may see it counted
        // twice for a moment (as stored and as pending) and be refused early. That race errs on the safe side,
        // never past the limit; sent one at a time the accounting is exact, which is what this test checks.
        List<ProduceResponse> first = Flux.range(0, 6)
                .concatMap(i -> producer.produce(Flux.just(batch(i, "rej", i * 10, 10))))
                .collectList().block(TIMEOUT);
        assertThat(first).hasSize(6);
        assertThat(first.subList(0, 5)).allMatch(r -> r.getErrorCode() == ErrorCode.ERROR_CODE_NONE);
        ProduceResponse refused = first.get(5);
        assertThat(refused.getErrorCode()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
        assertThat(refused.getStatusCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
        assertThat(refused.getErrorMessage()).contains("backlog.max.records=50", "rej-0", "Retry after");
        assertThat(refused.getRetryAfterMs()).isPositive();

        // A group that consumed 30 records makes room for exactly 30 more.
        commit("g1", "rej", 30);
        List<ProduceResponse> second = Flux.range(0, 4)
                .concatMap(i -> producer.produce(Flux.just(batch(10 + i, "rej", 50 + i * 10, 10))))
                .collectList().block(TIMEOUT);
        assertThat(second.subList(0, 3)).allMatch(r -> r.getErrorCode() == ErrorCode.ERROR_CODE_NONE);
        assertThat(second.get(2).getBaseOffset()).isEqualTo(70);
        assertThat(second.get(3).getErrorCode()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);

        // Every acknowledged record is readable, nothing refused is.
        assertThat(readAll("rej", 80)).isEqualTo(values(0, 80));

        // Committed offsets survive a restart, and still bound the backlog.
        fixture.restart();
        admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
        producer = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());
        assertThat(admin.fetchCommittedOffsets(FetchCommittedOffsetsRequest.newBuilder().setGroup("g1").setTopic("rej").build())
                .getOffsetsMap()).isEqualTo(Map.of(0, 30L));
        assertThat(producer.produce(Flux.just(batch(20, "rej", 80, 1))).blockLast(TIMEOUT).getErrorCode())
                .isEqualTo(ErrorCode.LIMIT_EXCEEDED);
        // The slowest group decides: a faster second group does not make room.
        commit("fast", "rej", 80);
        assertThat(producer.produce(Flux.just(batch(21, "rej", 80, 1))).blockLast(TIMEOUT).getErrorCode())
                .isEqualTo(ErrorCode.LIMIT_EXCEEDED);
        commit("g1", "rej", 31);
        assertThat(producer.produce(Flux.just(batch(22, "rej", 80, 1))).blockLast(TIMEOUT).getErrorCode())
                .isEqualTo(ErrorCode.ERROR_CODE_NONE);
        assertThat(readAll("rej", 81)).isEqualTo(values(0, 81));
    }

    @Test
    void blockPolicyStopsReadingAStreamWithoutCreditUntilTheBacklogDrains() {
        createTopic("blk", Map.of("backlog.max.records", "10"));
        Sinks.Many<ProduceRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        List<ProduceResponse> responses = new CopyOnWriteArrayList<>();
        List<Throwable> streamErrors = new CopyOnWriteArrayList<>();
        Disposable stream = producer.produce(requests.asFlux()).subscribe(responses::add, streamErrors::add);
        try {
            for (int i = 0; i < 3; i++) {
                requests.tryEmitNext(batch(i, "blk", i * 10, 10));
            }
            await().atMost(TIMEOUT).until(() -> responses.size() == 1);
            // The second batch waits for the backlog: no response, no error, for as long as nobody consumes.
            await().during(Duration.ofMillis(300)).atMost(TIMEOUT).until(() -> responses.size() == 1);
            commit("g", "blk", 10);
            await().atMost(TIMEOUT).failFast("the produce stream failed", () -> !streamErrors.isEmpty())
                    .until(() -> responses.size() >= 2);
            assertThat(responses).as("only the second batch gets in: the third waits for the next commit").hasSize(2);
            await().during(Duration.ofMillis(200)).atMost(TIMEOUT).until(() -> responses.size() == 2);
            commit("g", "blk", 20);
            await().atMost(TIMEOUT).until(() -> responses.size() == 3);
            assertThat(responses).allMatch(r -> r.getErrorCode() == ErrorCode.ERROR_CODE_NONE)
                    .extracting(ProduceResponse::getBaseOffset).containsExactly(0L, 10L, 20L);
            assertThat(responses).noneMatch(r -> r.getKind() == ResponseKind.RESPONSE_KIND_CREDIT);
        } finally {
            stream.dispose();
        }
        assertThat(readAll("blk", 30)).isEqualTo(values(0, 30));
    }

    @Test
    void creditAwareStreamIsRefusedBeyondItsCreditAndThrottledByAFullBacklog() {
        createTopic("cred", Map.of("backlog.max.records", "5"));
        Sinks.Many<ProduceRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        List<ProduceResponse> responses = new CopyOnWriteArrayList<>();
        Disposable stream = producer.produce(requests.asFlux()).subscribe(responses::add);
        try {
            requests.tryEmitNext(ProduceRequest.newBuilder().setUseCredit(true).build());
            await().atMost(TIMEOUT).until(() -> responses.size() == 1);
            ProduceResponse initial = responses.get(0);
            assertThat(initial.getKind()).isEqualTo(ResponseKind.RESPONSE_KIND_CREDIT);
            assertThat(initial.getCredit().getRecords()).isEqualTo(20);
            assertThat(initial.getCredit().getBytes()).isEqualTo(BrokerConfig.DEF.key(BrokerConfig.PRODUCE_CREDIT_BYTES).defaultValue());
            assertThat(initial.getCredit().getReason()).isEqualTo(ThrottleReason.THROTTLE_REASON_NONE);

            // Batch 1 fills the backlog (limit 5): no credit comes back. Batch 2 uses the rest of the credit and
            // waits for the backlog. Batch 3 is beyond the credit: refused at once.
            for (int i = 0; i < 3; i++) {
                requests.tryEmitNext(batch(i + 1, "cred", i * 10, 10));
            }
            await().atMost(TIMEOUT).until(() -> batches(responses).size() == 1 && credits(responses).size() == 2);
            assertThat(batches(responses).get(0).getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE);
            ProduceResponse notice = credits(responses).get(1);
            assertThat(notice.getCredit().getRecords()).isZero();
            assertThat(notice.getCredit().getReason()).isEqualTo(ThrottleReason.BACKLOG_FULL);
            assertThat(notice.getCredit().getMessage()).contains("cred-0", "backlog");
            // Responses come in request order: batch 3's refusal is queued behind batch 2, which waits.
            assertThat(fixture.broker().meters().counter("sluice.produce.credit.exceeded").count()).isEqualTo(1.0);

            commit("g", "cred", 10);
            await().atMost(TIMEOUT).until(() -> batches(responses).size() == 3);
            assertThat(batches(responses).get(1).getErrorCode()).isEqualTo(ErrorCode.ERROR_CODE_NONE);
            ProduceResponse refused = batches(responses).get(2);
            assertThat(refused.getErrorCode()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
            assertThat(refused.getStatusCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
            assertThat(refused.getErrorMessage()).contains("exceeds the producer credit");
            // Once consumers caught up, credit flows again, but only as much as the backlog may still take (5).
            commit("g", "cred", 20);
            await().atMost(TIMEOUT).until(() -> granted(responses) > 0);
            ProduceResponse regrant = credits(responses).get(credits(responses).size() - 1);
            assertThat(regrant.getCredit().getRecords()).isEqualTo(5);
            assertThat(regrant.getCredit().getReason()).isEqualTo(ThrottleReason.BACKLOG_FULL);
            assertThat(granted(responses)).isEqualTo(5);
            assertThat(fixture.broker().meters().summary("sluice.produce.credit.inflight.records").max()).isLessThanOrEqualTo(20);
        } finally {
            stream.dispose();
        }
        assertThat(readAll("cred", 20)).isEqualTo(values(0, 20));
    }

    private static List<ProduceResponse> batches(List<ProduceResponse> responses) {
        return responses.stream().filter(r -> r.getKind() == ResponseKind.RESPONSE_KIND_BATCH).toList();
    }

    private static List<ProduceResponse> credits(List<ProduceResponse> responses) {
        return responses.stream().filter(r -> r.getKind() == ResponseKind.RESPONSE_KIND_CREDIT).toList();
    }

    /** Records granted after the initial grant. */
    private static long granted(List<ProduceResponse> responses) {
        List<ProduceResponse> credits = new ArrayList<>(credits(responses));
        return credits.stream().skip(1).mapToLong(r -> r.getCredit().getRecords()).sum();
    }
}
