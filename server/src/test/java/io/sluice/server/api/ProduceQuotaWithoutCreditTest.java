package io.sluice.server.api;

import static io.sluice.server.testing.Protos.produce;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * A producer that ignores credit (a plain gRPC client) is paced to the topic's byte-rate quota too: the
 * broker admits its batches only as the quota allows and stops reading its stream meanwhile.
 */
class ProduceQuotaWithoutCreditTest {
    private static final long QUOTA = 200_000;

    @TempDir
    Path dir;

    @Test
    void anEndlessProducerThatIgnoresCreditIsAdmittedAtTheQuota() {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            AdminServiceGrpc.newBlockingStub(fixture.channel()).createTopic(CreateTopicRequest.newBuilder().setName("paced")
                    .setPartitions(1).putConfigs("producer.byte.rate", String.valueOf(QUOTA)).build());
            Record record = Record.newBuilder().setValue(ByteString.copyFrom(new byte[1000])).setTimestampMs(1).build();
            ProduceRequest batch = produce(0, "paced").setPartition(0).addRecords(record).addRecords(record)
                    .addRecords(record).addRecords(record).addRecords(record).build();
            AtomicLong acked = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            // Bounded in count: 2 000 batches of ~5 KB, 50 s worth at the quota; the test reads 3 s of it.
            Disposable producing = ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                    .produce(Flux.range(0, 2_000).map(i -> batch.toBuilder().setRequestId(i).build()))
                    .subscribe(r -> {
                        if (r.getErrorCode() == ErrorCode.ERROR_CODE_NONE) {
                            acked.addAndGet(r.getRecordCount() * 1000L);
                        } else {
                            errors.incrementAndGet();
                        }
                    });
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() > 0);
            // Leave out the start: the bucket begins full (200 ms of rate).
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() > QUOTA / 2);
            long t0 = System.nanoTime();
            long b0 = acked.get();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - t0 >= 3_000_000_000L);
            double rate = (acked.get() - b0) / ((System.nanoTime() - t0) / 1e9);
            producing.dispose();
            assertThat(errors.get()).isZero();
            assertThat(rate).isBetween(QUOTA * 0.8, QUOTA * 1.2);
        }
    }
}
