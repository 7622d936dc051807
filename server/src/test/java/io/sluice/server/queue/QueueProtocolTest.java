package io.sluice.server.queue;

import static io.sluice.server.queue.QueueTesting.TIMEOUT;
import static io.sluice.server.queue.QueueTesting.createTopic;
import static io.sluice.server.queue.QueueTesting.describe;
import static io.sluice.server.queue.QueueTesting.produce;
import static io.sluice.server.queue.QueueTesting.settle;
import static io.sluice.server.queue.QueueTesting.values;
import static io.sluice.server.testing.QueueWorker.ack;
import static io.sluice.server.testing.QueueWorker.extend;
import static io.sluice.server.testing.QueueWorker.nack;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sluice.proto.v1.AlterQueueRequest;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.DeleteQueueRequest;
import io.sluice.proto.v1.DescribeQueueRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ListQueuesRequest;
import io.sluice.proto.v1.OutcomeError;
import io.sluice.proto.v1.QueueAdminServiceGrpc;
import io.sluice.proto.v1.QueueOutcomesResult;
import io.sluice.proto.v1.QueueRecord;
import io.sluice.proto.v1.QueueSubscribed;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.RecordFormat;
import io.sluice.proto.v1.RecordOutcome;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.SubscriptionMode;
import io.sluice.proto.v1.TopicSubscription;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.MutableClock;
import io.sluice.server.testing.Protos;
import io.sluice.server.testing.QueueWorker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

/** Queue mode's contract at its edges: bad subscriptions, credit and window bounds, outcomes that cannot apply, admin. */
class QueueProtocolTest {
    @TempDir
    Path dir;
    BrokerFixture fixture;
    final List<QueueWorker> workers = new ArrayList<>();

    @AfterEach
    void stop() {
        workers.forEach(QueueWorker::close);
        if (fixture != null) {
            fixture.close();
        }
    }

    private QueueWorker start(Subscribe subscribe, long credit) {
        QueueWorker worker = QueueWorker.start(fixture.channel(), subscribe, credit, (w, r) -> {
        });
        workers.add(worker);
        return worker;
    }

    private QueueWorker idle(String queue, String topic, Map<String, String> config, long credit) {
        QueueWorker worker = start(QueueWorker.subscribe(queue, topic, config), credit);
        worker.subscribed.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        return worker;
    }

    /** The status a subscription fails with. */
    private Status refusal(Subscribe subscribe) {
        QueueWorker worker = start(subscribe, 0);
        Throwable error = worker.ended.handle((ok, e) -> e).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(error).isInstanceOf(StatusRuntimeException.class);
        return ((StatusRuntimeException) error).getStatus();
    }

    @Test
    void badSubscriptionsFailWithAPreciseStatus() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "t", 2);
        createTopic(fixture.channel(), "u", 1);
        Subscribe good = QueueWorker.subscribe("q", "t", Map.of());

        assertThat(refusal(good.toBuilder().clearQueue().build()).getDescription())
                .startsWith("INVALID_REQUEST: Queue mode needs Subscribe.queue");
        assertThat(refusal(good.toBuilder().setMode(SubscriptionMode.SUBSCRIPTION_MODE_LOG).build()).getDescription())
                .startsWith("INVALID_REQUEST: Subscribe.queue is set: set mode SUBSCRIPTION_MODE_QUEUE");
        assertThat(refusal(good.toBuilder().addTopics(TopicSubscription.newBuilder().setTopic("u")).build()).getDescription())
                .startsWith("INVALID_REQUEST: A queue reads exactly one topic");
        assertThat(refusal(good.toBuilder().setTopics(0, TopicSubscription.newBuilder().setTopic("t").addPartitions(0)).build())
                .getDescription()).startsWith("INVALID_REQUEST: A queue reads every partition");
        assertThat(refusal(QueueWorker.subscribe("no spaces", "t", Map.of())).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(refusal(QueueWorker.subscribe("q", "missing", Map.of())).getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(refusal(QueueWorker.subscribe("q", "t", Map.of("lock.timeout.ms", "five"))).getDescription())
                .startsWith("INVALID_CONFIG: Invalid value 'five' for config 'lock.timeout.ms'");
        assertThat(refusal(QueueWorker.subscribe("q", "t", Map.of("no.such", "1"))).getDescription())
                .startsWith("INVALID_CONFIG: Unknown config 'no.such'");
        assertThat(refusal(QueueWorker.subscribe("q", "t", Map.of("dlq.topic", "t"))).getDescription())
                .contains("cannot be 't' itself");

        // The first subscriber creates the queue with its settings; later ones must agree with them.
        QueueSubscribed created = idle("q", "t", Map.of("max.delivery.attempts", "3"), 1).subscribed.orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(created.getCreated()).isTrue();
        assertThat(created.getConfigMap()).containsEntry("max.delivery.attempts", "3").containsEntry("lock.timeout.ms", "30000");
        assertThat(created.getDlqTopic()).isEqualTo("t.dlq");
        assertThat(idle("q", "t", Map.of(), 1).subscribed.orTimeout(10, TimeUnit.SECONDS).join().getCreated()).isFalse();
        assertThat(idle("q", "t", Map.of("max.delivery.attempts", "3"), 1).subscribed.orTimeout(10, TimeUnit.SECONDS).join().getCreated()).isFalse();
        assertThat(refusal(QueueWorker.subscribe("q", "t", Map.of("max.delivery.attempts", "4"))).getDescription())
                .startsWith("INVALID_CONFIG: Queue 'q' has max.delivery.attempts=3, not 4");
        assertThat(refusal(QueueWorker.subscribe("q", "u", Map.of())).getDescription())
                .startsWith("INVALID_REQUEST: Queue 'q' reads topic 't', not 'u'");
    }

    @Test
    void protocolViolationsEndOnlyTheStreamThatMadeThem() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "t", 1);
        QueueWorker bad = idle("q", "t", Map.of(), 1);
        bad.emit(Protos.credit(0, 1));
        Throwable error = bad.ended.handle((ok, e) -> e).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(((StatusRuntimeException) error).getStatus().getDescription()).startsWith("INVALID_CREDIT");

        QueueWorker twice = idle("q", "t", Map.of(), 1);
        twice.emit(ConsumeRequest.newBuilder().setSubscribe(QueueWorker.subscribe("q", "t", Map.of())).build());
        error = twice.ended.handle((ok, e) -> e).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(((StatusRuntimeException) error).getStatus().getDescription())
                .startsWith("PROTOCOL_VIOLATION: Subscribe may be sent only once");

        QueueWorker good = idle("q", "t", Map.of(), 10);
        produce(fixture.channel(), "t", 0, values(3));
        await().atMost(TIMEOUT).until(() -> good.received.size() == 3);
    }

    @Test
    void creditAndTheWindowBoundWhatTheBrokerHandsOut() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "t", 1);
        produce(fixture.channel(), "t", 0, values(100));
        QueueWorker worker = idle("q", "t", Map.of("window.records", "8"), 3);
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 3);
        // Describe runs a dispatch first: had the broker anything more to hand out within credit, it would go now.
        assertThat(describe(fixture.channel(), "q").getInFlight()).isEqualTo(3);
        assertThat(worker.received).hasSize(3);

        worker.credit(100);
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 8);
        assertThat(describe(fixture.channel(), "q").getInFlight()).as("at most window.records unsettled").isEqualTo(8);
        assertThat(worker.received).hasSize(8);

        settle(worker, ack(worker.received.get(0)));
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 9);
        assertThat(worker.received).extracting(QueueRecord::getOffset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(describe(fixture.channel(), "q").getBacklog()).isEqualTo(99);
    }

    @Test
    void outcomesThatCannotApplyAreReportedOneByOne() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "t", 1);
        produce(fixture.channel(), "t", 0, values(3));
        QueueWorker worker = idle("q", "t", Map.of(), 2);
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 2);
        QueueRecord first = worker.received.get(0);
        RecordOutcome neverDelivered = ack(first).toBuilder().setOffset(2).build();
        RecordOutcome wrongTopic = ack(first).toBuilder().setTopic("other").build();
        RecordOutcome noPartition = ack(first).toBuilder().setPartition(5).build();
        RecordOutcome noType = ack(first).toBuilder().clearType().build();

        QueueOutcomesResult result = worker.send(ack(first), ack(first), neverDelivered, wrongTopic, noPartition, noType,
                extend(worker.received.get(1), 60_000)).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(result.getErrorsList()).extracting(OutcomeError::getError).containsExactly(ErrorCode.LOCK_LOST,
                ErrorCode.LOCK_LOST, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_PARTITION, ErrorCode.INVALID_REQUEST);
        assertThat(result.getErrors(0).getMessage()).isEqualTo("Record t-0@0 is settled already");
        assertThat(result.getErrors(1).getMessage()).isEqualTo("Record t-0@2 was never delivered");
        assertThat(describe(fixture.channel(), "q").getBacklog()).isEqualTo(2);
        assertThat(worker.send(nack(first, -1, "x")).orTimeout(10, TimeUnit.SECONDS).join().getErrors(0).getMessage()).isEqualTo("Record t-0@0 is settled already");
        assertThat(worker.send(nack(worker.received.get(1), -1, "x")).orTimeout(10, TimeUnit.SECONDS).join().getErrors(0).getError())
                .isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void extendKeepsTheLockPastTheTimeout() {
        MutableClock clock = new MutableClock(1_000_000);
        fixture = BrokerFixture.start(dir, Map.of(), clock);
        createTopic(fixture.channel(), "t", 1);
        produce(fixture.channel(), "t", 0, values(1));
        QueueWorker worker = idle("q", "t", Map.of("lock.timeout.ms", "1000"), 10);
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 1);
        clock.advance(Duration.ofMillis(900));
        settle(worker, extend(worker.received.get(0), 5000));
        clock.advance(Duration.ofMillis(4_999));
        assertThat(describe(fixture.channel(), "q").getInFlight()).isEqualTo(1);
        assertThat(worker.received).hasSize(1);
        clock.advance(Duration.ofMillis(1));
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 2);
        assertThat(worker.received.get(1).getLastFailure()).isEqualTo("lock timed out after 1000 ms");
    }

    @Test
    void aQueueAndALogModeConsumerEachSeeEveryRecord() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "t", 1);
        produce(fixture.channel(), "t", 0, values(20));
        List<String> logged = new CopyOnWriteArrayList<>();
        Sinks.Many<ConsumeRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        requests.tryEmitNext(ConsumeRequest.newBuilder().setSubscribe(Protos.subscribe("t", Protos.earliest()).getSubscribe()
                .toBuilder().setFormat(RecordFormat.RECORD_FORMAT_PLAIN)).build());
        requests.tryEmitNext(Protos.credit(100, 1 << 20));
        Disposable log = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel()).consume(requests.asFlux())
                .filter(ConsumeResponse::hasBatch)
                .subscribe(r -> r.getBatch().getRecordsList().forEach(rec -> logged.add(Protos.utf8(rec.getValue()))));
        try {
            QueueWorker worker = QueueWorker.start(fixture.channel(), "q", "t", Map.of(), 100, (w, r) -> w.send(ack(r)));
            workers.add(worker);
            await().atMost(TIMEOUT).until(() -> logged.size() == 20 && worker.received.size() == 20
                    && describe(fixture.channel(), "q").getBacklog() == 0);
            assertThat(worker.received).extracting(r -> Protos.utf8(r.getRecord().getValue())).containsExactlyElementsOf(logged);
        } finally {
            log.dispose();
        }
    }

    @Test
    void queuesAreListedDescribedAlteredAndDeleted() {
        fixture = BrokerFixture.start(dir);
        createTopic(fixture.channel(), "t", 2);
        var admin = QueueAdminServiceGrpc.newBlockingStub(fixture.channel());
        assertThatThrownBy(() -> admin.describeQueue(DescribeQueueRequest.newBuilder().setName("q").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("UNKNOWN_QUEUE: Queue 'q' does not exist");
                });
        produce(fixture.channel(), "t", 0, values(5));
        produce(fixture.channel(), "t", 1, values(3));
        QueueWorker worker = idle("q", "t", Map.of(), 2);
        idle("b", "t", Map.of("ordering", "key"), 0);
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 2);

        assertThat(admin.listQueues(ListQueuesRequest.getDefaultInstance()).getQueuesList())
                .extracting(q -> q.getName() + " " + q.getTopic() + " " + q.getBacklog() + " " + q.getInFlight())
                .containsExactly("b t 8 0", "q t 8 2");
        var q = admin.describeQueue(DescribeQueueRequest.newBuilder().setName("q").build()).getQueue();
        assertThat(q.getPartitionsList()).extracting(p -> p.getPartition() + ":" + p.getBacklog() + "/" + p.getHighWatermark())
                .containsExactly("0:5/5", "1:3/3");
        assertThat(q.getOldestAgeMs()).isGreaterThanOrEqualTo(0);
        assertThat(q.getWorkers()).isEqualTo(1);

        assertThat(admin.alterQueue(AlterQueueRequest.newBuilder().setName("q").putSet("lock.timeout.ms", "2000").build())
                .getConfigMap()).containsEntry("lock.timeout.ms", "2000");
        worker.credit(1);
        await().atMost(TIMEOUT).until(() -> worker.received.size() == 3);
        assertThat(worker.received.get(2).getLockTimeoutMs()).as("applies to the next delivery").isEqualTo(2000);
        assertThatThrownBy(() -> admin.alterQueue(AlterQueueRequest.newBuilder().setName("q").putSet("ordering", "random").build()))
                .hasMessageStartingWith("INVALID_ARGUMENT: INVALID_CONFIG");

        assertThatThrownBy(() -> admin.deleteQueue(DeleteQueueRequest.newBuilder().setName("q").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getDescription()).startsWith("QUEUE_IN_USE"));
        worker.close();
        await().atMost(TIMEOUT).until(() -> describe(fixture.channel(), "q").getWorkers() == 0);
        admin.deleteQueue(DeleteQueueRequest.newBuilder().setName("q").build());
        assertThat(admin.listQueues(ListQueuesRequest.getDefaultInstance()).getQueuesList()).extracting(d -> d.getName())
                .containsExactly("b");

        // A queue of the same name starts over, with none of the old state.
        QueueWorker again = idle("q", "t", Map.of(), 100);
        assertThat(again.subscribed.orTimeout(10, TimeUnit.SECONDS).join().getCreated()).isTrue();
        await().atMost(TIMEOUT).until(() -> again.received.size() == 8);
        assertThat(again.received).allSatisfy(r -> assertThat(r.getDeliveryCount()).isEqualTo(1));

        fixture.restart();
        workers.forEach(w -> w.ended.handle((ok, e) -> null).orTimeout(10, TimeUnit.SECONDS).join());
        assertThat(QueueAdminServiceGrpc.newBlockingStub(fixture.channel()).listQueues(ListQueuesRequest.getDefaultInstance())
                .getQueuesList()).extracting(d -> d.getName() + " " + d.getConfigMap().get("ordering") + " " + d.getBacklog())
                .containsExactly("b key 8", "q none 8");
    }
}
