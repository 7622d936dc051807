package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** A topic's produce byte-rate quota paces an unbounded reactive producer through credit alone. */
class ProduceQuotaTest {
    private static final long QUOTA = 1_000_000; // bytes/s
    private static final int VALUE_BYTES = 1000;
    private static final int BATCH_BYTES = 16 * 1024;
    private static final int MAX_IN_FLIGHT = 4;

    @TempDir
    Path dir;
    BrokerFixture fixture;
    SluiceClient client;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir, Map.of(BrokerConfig.PRODUCE_THROTTLE_RECHECK_MS, "20"));
        client = SluiceClient.builder().bootstrap(fixture.bootstrap()).clientId("quota-test").build();
    }

    @AfterEach
    void stop() {
        client.close();
        fixture.close();
    }

    @Test
    void anUnboundedProducerIsHeldToTheTopicQuotaWithinTenPercent() {
        client.admin().createTopic("q", 1, Map.of("producer.byte.rate", String.valueOf(QUOTA))).block(Duration.ofSeconds(10));
        PartitionLog log = fixture.broker().logs().find("q").orElseThrow().partition(0);
        String value = "v".repeat(VALUE_BYTES);
        long recordBytes = payloadBytesPerRecord(value);
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings()
                .linger(Duration.ofMillis(2)).batchBytes(BATCH_BYTES).maxInFlight(MAX_IN_FLIGHT));
        Disposable producing = producer.send(Flux.<ProducerRecord<String, String, Void>>generate(
                sink -> sink.next(ProducerRecord.of("q", null, value)))).subscribe();
        try {
            // The first second is left out: the bucket starts full (a 200 ms burst) and the stream's opening grant
            // is taken from it, so the first moments run above the rate by design. After it, the only slack is
            // the bucket's burst and one batch, ~2 % of the 5 s window.
            await().atMost(Duration.ofSeconds(10)).until(() -> log.highWatermark() > 0);
            long warmUpEnd = System.nanoTime() + 1_000_000_000L;
            await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() >= warmUpEnd);
            long t1 = System.nanoTime();
            long r1 = log.highWatermark();
            await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - t1 >= 5_000_000_000L);
            long t2 = System.nanoTime();
            long r2 = log.highWatermark();
            double rate = (r2 - r1) * recordBytes / ((t2 - t1) / 1e9);
            assertThat(rate).isBetween(QUOTA * 0.9, QUOTA * 1.1);

            var meters = fixture.broker().meters();
            // Paced by credit: grants said QUOTA, and the producer never sent beyond its credit.
            assertThat(meters.counter("sluice.produce.credit.throttled", "reason", "QUOTA").count()).isPositive();
            assertThat(meters.counter("sluice.produce.credit.exceeded").count()).isZero();
            assertThat(producer.creditWaitTime()).isPositive();
            // The client held no more than its pipeline takes from the application (see bufferedRecords).
            assertThat(producer.maxBufferedRecords()).isPositive().isLessThanOrEqualTo(bufferBound());
        } finally {
            producing.dispose();
        }
    }

    /** Bytes one record adds to a stored RecordSet, as the quota counts them. */
    private static long payloadBytesPerRecord(String value) {
        Record record = Record.newBuilder().setTimestampMs(System.currentTimeMillis()).setValue(ByteString.copyFromUtf8(value)).build();
        return RecordSet.newBuilder().addRecords(record).addRecords(record).build().getSerializedSize() / 2;
    }

    /**
     * What the producer's pipeline may hold from an unbounded publisher: 32 records prefetched by placement, the
     * linger windows requested ahead (counted as 3 of {@link ReactiveProducer#windowRecords} records) and 32
     * gathered batches prefetched plus maxInFlight batches sent, of at most one batch's worth of records each.
     */
    private static long bufferBound() {
        long recordsPerBatch = BATCH_BYTES / VALUE_BYTES + 1;
        return 32 + 3L * ReactiveProducer.windowRecords(BATCH_BYTES) + (32 + MAX_IN_FLIGHT) * recordsPerBatch;
    }
}
