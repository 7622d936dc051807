package io.sluice.server.api;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static io.sluice.server.testing.Protos.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** A consumer that grants one record at a time is never sent more than it granted, per the broker's own meters. */
class ConsumerCreditTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int RECORDS = 200;

    @TempDir
    Path dir;
    BrokerFixture fixture;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void oneRecordAtATimeNeverRunsAheadOfCredit() {
        AdminServiceGrpc.newBlockingStub(fixture.channel())
                .createTopic(CreateTopicRequest.newBuilder().setName("one").setPartitions(1).build());
        // Batches of 10 records: the broker must cut each to the single record granted.
        List<ProduceResponse> acks = ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                .produce(Flux.range(0, RECORDS / 10).map(b -> produce(b, "one", IntStream.range(0, 10)
                        .mapToObj(i -> record(null, "r" + (b * 10 + i))).toArray(Record[]::new)).setPartition(0).build()))
                .collectList().block(TIMEOUT);
        assertThat(acks).allMatch(r -> r.getErrorCode() == ErrorCode.ERROR_CODE_NONE);

        MeterRegistry meters = fixture.broker().meters();
        Sinks.Many<ConsumeRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        List<Long> offsets = new CopyOnWriteArrayList<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        requests.tryEmitNext(subscribe("one", earliest()));
        requests.tryEmitNext(credit(1, 1 << 20));
        Disposable consuming = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel()).consume(requests.asFlux())
                .filter(ConsumeResponse::hasBatch)
                .subscribe(response -> {
                    long count = response.getBatch().getBatch().getRecordCount();
                    double sent = meters.counter("sluice.consumer.records.sent", "topic", "one").count();
                    double granted = meters.counter("sluice.consumer.credit.granted.records").count();
                    if (count != 1 || sent > granted) {
                        violations.add("batch of " + count + ", sent " + sent + " of " + granted + " granted");
                    }
                    offsets.add(response.getBatch().getBatch().getBaseOffset());
                    requests.tryEmitNext(credit(1, 1 << 20));
                });
        try {
            await().atMost(TIMEOUT).until(() -> offsets.size() == RECORDS);
            assertThat(violations).isEmpty();
            assertThat(offsets).containsExactlyElementsOf(LongStreamRange.of(RECORDS));
            // Per session: never a record beyond the records granted, never a byte beyond the bytes granted.
            assertThat(meters.summary("sluice.consumer.credit.ahead.records").count()).isEqualTo(RECORDS);
            assertThat(meters.summary("sluice.consumer.credit.ahead.records").max()).isZero();
            assertThat(meters.summary("sluice.consumer.credit.ahead.bytes").max()).isZero();
            // The next grant is outstanding and nothing is left to send: the counters end level.
            assertThat(meters.counter("sluice.consumer.records.sent", "topic", "one").count()).isEqualTo(RECORDS);
            assertThat(meters.counter("sluice.consumer.credit.granted.records").count()).isEqualTo(RECORDS + 1);
        } finally {
            consuming.dispose();
        }
    }

    private static final class LongStreamRange {
        static List<Long> of(int n) {
            return java.util.stream.LongStream.range(0, n).boxed().toList();
        }
    }
}
