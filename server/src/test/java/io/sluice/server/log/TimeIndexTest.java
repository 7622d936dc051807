package io.sluice.server.log;

import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** Seek by timestamp through the time index: out-of-order timestamps, restarts and retention. */
class TimeIndexTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(1_700_000_000_000L);
    BrokerFixture fixture;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir, Map.of(BrokerConfig.LOG_CLEANER_INTERVAL_MS, "20"), clock);
        AdminServiceGrpc.newBlockingStub(fixture.channel()).createTopic(CreateTopicRequest.newBuilder()
                .setName("t").setPartitions(1).putConfigs("retention.ms", "60000").build());
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private LocalPartitionLog log() {
        return (LocalPartitionLog) fixture.broker().logs().topic("t").partition(0);
    }

    /** One batch whose records carry these timestamps; returns its base offset. */
    private long batch(long... timestamps) {
        ProduceRequest.Builder request = produce(0, "t").setPartition(0);
        for (long ts : timestamps) {
            request.addRecords(record(null, "at " + ts).toBuilder().setTimestampMs(ts));
        }
        ProduceResponse response = ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                .produce(Flux.just(request.build())).blockLast(TIMEOUT);
        assertThat(response.getErrorMessage()).isEmpty();
        return response.getBaseOffset();
    }

    @Test
    void findsTheFirstRecordAtOrAfterTheTimestampEvenWhenTimestampsGoBackwards() {
        batch(100, 110, 120);        // offsets 0..2
        batch(300, 200, 310);        // 3..5: the running maximum jumps to 310
        batch(150, 160);             // 6..7: older than what came before, no index entry
        batch(400);                  // 8
        LocalPartitionLog log = log();

        assertThat(log.offsetForTimestamp(0)).isZero();
        assertThat(log.offsetForTimestamp(110)).isEqualTo(1);
        assertThat(log.offsetForTimestamp(121)).isEqualTo(3);
        // 200 is first reached at offset 3 (300); the later 150 and 160 are not "at or after" it.
        assertThat(log.offsetForTimestamp(200)).isEqualTo(3);
        assertThat(log.offsetForTimestamp(305)).isEqualTo(5);
        assertThat(log.offsetForTimestamp(311)).isEqualTo(8);
        assertThat(log.offsetForTimestamp(400)).isEqualTo(8);
        assertThat(log.offsetForTimestamp(401)).isEqualTo(9); // none: the end of the log

        fixture.restart();
        LocalPartitionLog reopened = log();
        assertThat(reopened.offsetForTimestamp(305)).isEqualTo(5);
        // The recovered running maximum (400) keeps an older batch out of the index after the restart too.
        batch(350);                  // 9
        batch(500);                  // 10
        assertThat(reopened.offsetForTimestamp(350)).isEqualTo(8);
        assertThat(reopened.offsetForTimestamp(450)).isEqualTo(10);
    }

    @Test
    void afterRetentionTheAnswerIsNeverBelowTheStart() {
        batch(1_000, 1_001);         // 0..1
        batch(2_000);                // 2
        clock.advance(Duration.ofSeconds(30));
        batch(1_500, 1_800);         // 3..4: below the running maximum 2000
        batch(3_000);                // 5
        clock.advance(Duration.ofSeconds(31));
        LocalPartitionLog log = log();
        await().atMost(TIMEOUT).until(() -> log.startOffset() == 3);

        assertThat(log.offsetForTimestamp(0)).isEqualTo(3);
        // The entry for 2000 named the deleted batch 2; the kept one covers batches 3..4 so 1800 is found.
        assertThat(log.offsetForTimestamp(1_700)).isEqualTo(4);
        assertThat(log.offsetForTimestamp(2_500)).isEqualTo(5);
        assertThat(log.offsetForTimestamp(3_001)).isEqualTo(6);
    }
}
