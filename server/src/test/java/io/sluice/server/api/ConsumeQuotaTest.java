package io.sluice.server.api;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
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
import reactor.core.publisher.Sinks;

/** A consume byte-rate quota paces how fast the broker honours a consumer's (much larger) credit. */
class ConsumeQuotaTest {
    private static final long QUOTA = 200_000;

    @TempDir
    Path dir;

    @Test
    void aConsumerWithAmpleCreditIsPacedToTheTopicQuota() {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            AdminServiceGrpc.newBlockingStub(fixture.channel()).createTopic(CreateTopicRequest.newBuilder().setName("slow")
                    .setPartitions(1).putConfigs("consumer.byte.rate", String.valueOf(QUOTA)).build());
            // 2 MB: ten seconds' worth at the quota, in 10 KB batches so pacing is fine-grained.
            Record record = Record.newBuilder().setValue(ByteString.copyFrom(new byte[1000])).setTimestampMs(1).build();
            ReactorProducerServiceGrpc.newReactorStub(fixture.channel()).produce(Flux.range(0, 200).map(i -> {
                ProduceRequest.Builder request = produce(i, "slow").setPartition(0);
                for (int r = 0; r < 10; r++) {
                    request.addRecords(record);
                }
                return request.build();
            })).blockLast(Duration.ofSeconds(30));

            AtomicLong bytes = new AtomicLong();
            Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
            in.tryEmitNext(subscribe("slow", earliest()));
            in.tryEmitNext(credit(1_000_000, 100L << 20));
            Disposable reading = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel()).consume(in.asFlux())
                    .filter(ConsumeResponse::hasBatch)
                    .subscribe(r -> bytes.addAndGet(r.getBatch().getBatch().getRecords().size()));
            // Leave out the first second: the bucket starts full and may lend a burst (200 ms of rate).
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> bytes.get() > 0);
            long t0 = System.nanoTime();
            long b0 = bytes.get();
            org.awaitility.Awaitility.await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
            double rate = (bytes.get() - b0) / ((System.nanoTime() - t0) / 1e9);
            reading.dispose();
            in.tryEmitComplete();
            // Without the quota the whole 2 MB would arrive in well under a second.
            assertThat(rate).isBetween(QUOTA * 0.8, QUOTA * 1.2);
        }
    }
}
