package io.sluice.server.log;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static io.sluice.server.testing.Protos.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** cleanup.policy=compact: the latest record per key survives with its offset, tombstones expire. */
class CompactionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(1_700_000_000_000L);
    BrokerFixture fixture;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir, Map.of(BrokerConfig.LOG_CLEANER_INTERVAL_MS, "20"), clock);
        AdminServiceGrpc.newBlockingStub(fixture.channel()).createTopic(CreateTopicRequest.newBuilder().setName("c")
                .setPartitions(1).putConfigs("cleanup.policy", "compact").putConfigs("delete.retention.ms", "60000")
                .build());
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private LocalPartitionLog log() {
        return (LocalPartitionLog) fixture.broker().logs().topic("c").partition(0);
    }

    private List<ProduceResponse> send(List<ProduceRequest> requests) {
        List<ProduceResponse> responses = ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                .produce(Flux.fromIterable(requests)).collectList().block(TIMEOUT);
        assertThat(responses).allSatisfy(r -> assertThat(r.getErrorMessage()).isEmpty());
        return responses;
    }

    private static Record tombstone(String key) {
        return Record.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8(key)).build();
    }

    /** A record as a reader sees it: offset, key, value (null for a tombstone). */
    record Seen(long offset, String key, String value) {
    }

    /** Reads the whole partition from the start through a real Consume stream. */
    private List<Seen> readFromStart() {
        long end = log().highWatermark();
        Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
        in.tryEmitNext(io.sluice.server.testing.Protos.subscribe("c", earliest(), 0));
        in.tryEmitNext(credit(1_000_000, 64 << 20));
        List<Batch> batches = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel()).consume(in.asFlux())
                .filter(ConsumeResponse::hasBatch).map(ConsumeResponse::getBatch)
                .takeUntil(b -> b.getBatch().getBaseOffset() + b.getBatch().getRecordCount() >= end)
                .collectList().block(TIMEOUT);
        List<Seen> seen = new ArrayList<>();
        for (Batch b : batches) {
            RecordBatch batch = b.getBatch();
            List<Record> records = decode(batch);
            for (int i = 0; i < records.size(); i++) {
                long offset = batch.getBaseOffset() + (batch.getOffsetDeltasCount() == 0 ? i : batch.getOffsetDeltas(i));
                Record r = records.get(i);
                seen.add(new Seen(offset, utf8(r.getKey()), r.hasValue() ? utf8(r.getValue()) : null));
            }
        }
        return seen;
    }

    private static List<Record> decode(RecordBatch batch) {
        try {
            return RecordSet.parseFrom(batch.getRecords()).getRecordsList();
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** Records still stored, counted straight from the log. */
    private long storedRecords() {
        long[] count = {0};
        log().forEachBatch(0, Long.MAX_VALUE, b -> count[0] += decode(b).size());
        return count[0];
    }

    @Test
    void tenThousandUpdatesOfAHundredKeysCompactToTheLastValueOfEachKeyAtItsOriginalOffset() {
        Random random = new Random(42);
        List<ProduceRequest> requests = new ArrayList<>();
        for (int b = 0; b < 100; b++) {
            ProduceRequest.Builder request = produce(b, "c").setPartition(0);
            for (int i = 0; i < 100; i++) {
                request.addRecords(record("key-" + random.nextInt(100), "value-" + (b * 100 + i)));
            }
            requests.add(request.build());
        }
        // A last batch of its own: compaction never rewrites the last batch.
        requests.add(produce(100, "c", record("end", "end")).setPartition(0).build());
        send(requests);
        // Record n of the stream has offset n; a key's last record is what must survive, at that offset.
        Map<String, Seen> last = new LinkedHashMap<>();
        long offset = 0;
        for (ProduceRequest request : requests) {
            for (Record r : request.getRecordsList()) {
                String key = utf8(r.getKey());
                last.put(key, new Seen(offset++, key, utf8(r.getValue())));
            }
        }
        List<Seen> expected = last.values().stream().sorted(java.util.Comparator.comparingLong(Seen::offset)).toList();
        assertThat(expected).hasSize(101);

        await().atMost(TIMEOUT).until(() -> storedRecords() == expected.size());
        assertThat(readFromStart()).containsExactlyElementsOf(expected);
        assertThat(log().startOffset()).isZero();
        assertThat(log().highWatermark()).isEqualTo(10_001);

        // A restart keeps the bounds and the offsets, though the first batches may be gone entirely.
        fixture.restart();
        assertThat(log().startOffset()).isZero();
        assertThat(log().highWatermark()).isEqualTo(10_001);
        assertThat(readFromStart()).containsExactlyElementsOf(expected);
    }

    @Test
    void aTombstoneHidesTheKeyAtOnceAndIsItselfRemovedAfterDeleteRetention() {
        send(List.of(
                produce(1, "c", record("a", "a1"), record("b", "b1")).setPartition(0).build(),
                produce(2, "c", tombstone("a")).setPartition(0).build(),
                produce(3, "c", record("z", "last")).setPartition(0).build()));

        await().atMost(TIMEOUT).until(() -> storedRecords() == 3);
        assertThat(readFromStart()).containsExactly(new Seen(1, "b", "b1"), new Seen(2, "a", null), new Seen(3, "z", "last"));

        clock.advance(Duration.ofSeconds(61));
        await().atMost(TIMEOUT).until(() -> storedRecords() == 2);
        assertThat(readFromStart()).containsExactly(new Seen(1, "b", "b1"), new Seen(3, "z", "last"));
        assertThat(log().latestOffsetOf("a".getBytes())).isEqualTo(-1);
        // The key can come back; the new record gets a new offset.
        send(List.of(produce(4, "c", record("a", "a2")).setPartition(0).build()));
        assertThat(log().latestOffsetOf("a".getBytes())).isEqualTo(4);
    }
}
