package io.sluice.server.testing;

import io.grpc.Channel;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.OutcomeType;
import io.sluice.proto.v1.QueueOutcomes;
import io.sluice.proto.v1.QueueOutcomesResult;
import io.sluice.proto.v1.QueueRecord;
import io.sluice.proto.v1.QueueSubscribed;
import io.sluice.proto.v1.QueueSubscription;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.RecordOutcome;
import io.sluice.proto.v1.StartPosition;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.SubscriptionMode;
import io.sluice.proto.v1.TopicSubscription;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

/**
 * A queue worker on raw gRPC stubs, for tests: subscribes, grants credit, records what it receives and
 * hands each record to a handler, which settles it with {@link #send}.
 */
public final class QueueWorker implements AutoCloseable {
    private final Sinks.Many<ConsumeRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
    private final Map<Long, CompletableFuture<QueueOutcomesResult>> results = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Disposable subscription;
    /** Every record received, in order. */
    public final List<QueueRecord> received = new CopyOnWriteArrayList<>();
    public final CompletableFuture<QueueSubscribed> subscribed = new CompletableFuture<>();
    /** Completes when the stream ends: normally, or with its error. */
    public final CompletableFuture<Void> ended = new CompletableFuture<>();

    private QueueWorker(Channel channel, Subscribe subscribe, long credit, BiConsumer<QueueWorker, QueueRecord> handler) {
        emit(ConsumeRequest.newBuilder().setSubscribe(subscribe).build());
        if (credit > 0) {
            credit(credit);
        }
        subscription = ReactorConsumerServiceGrpc.newReactorStub(channel).consume(requests.asFlux()).subscribe(response -> {
            switch (response.getResponseCase()) {
                case QUEUE_SUBSCRIBED -> subscribed.complete(response.getQueueSubscribed());
                case DELIVERY -> response.getDelivery().getRecordsList().forEach(record -> {
                    received.add(record);
                    handler.accept(this, record);
                });
                case OUTCOMES_RESULT -> {
                    CompletableFuture<QueueOutcomesResult> waiting = results.remove(response.getOutcomesResult().getId());
                    if (waiting != null) {
                        waiting.complete(response.getOutcomesResult());
                    }
                }
                default -> ended.completeExceptionally(new AssertionError("unexpected response " + response));
            }
        }, error -> {
            subscribed.completeExceptionally(error);
            ended.completeExceptionally(error);
        }, () -> ended.complete(null));
    }

    /** A worker of {@code queue} on {@code topic}, with the queue settings given (used if it creates the queue). */
    public static QueueWorker start(Channel channel, String queue, String topic, Map<String, String> config, long credit,
                                    BiConsumer<QueueWorker, QueueRecord> handler) {
        return new QueueWorker(channel, subscribe(queue, topic, config), credit, handler);
    }

    public static QueueWorker start(Channel channel, Subscribe subscribe, long credit,
                                    BiConsumer<QueueWorker, QueueRecord> handler) {
        return new QueueWorker(channel, subscribe, credit, handler);
    }

    /** A queue-mode Subscribe that starts a new queue at the beginning of the topic. */
    public static Subscribe subscribe(String queue, String topic, Map<String, String> config) {
        return Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic(topic))
                .setStart(StartPosition.newBuilder().setEarliest(true))
                .setMode(SubscriptionMode.SUBSCRIPTION_MODE_QUEUE)
                .setQueue(QueueSubscription.newBuilder().setName(queue).putAllConfig(config))
                .build();
    }

    public void credit(long records) {
        emit(ConsumeRequest.newBuilder().setCredit(Credit.newBuilder().setRecords(records).setBytes(64L << 20)).build());
    }

    /** Sends outcomes; completes with the broker's answer (once stored). */
    public CompletableFuture<QueueOutcomesResult> send(RecordOutcome... outcomes) {
        long id = nextId.getAndIncrement();
        CompletableFuture<QueueOutcomesResult> result = new CompletableFuture<>();
        results.put(id, result);
        emit(ConsumeRequest.newBuilder().setOutcomes(QueueOutcomes.newBuilder().setId(id).addAllOutcomes(List.of(outcomes)))
                .build());
        return result;
    }

    public static RecordOutcome ack(QueueRecord record) {
        return outcome(record, OutcomeType.OUTCOME_TYPE_ACK).build();
    }

    public static RecordOutcome nack(QueueRecord record, String reason) {
        return outcome(record, OutcomeType.OUTCOME_TYPE_NACK).setReason(reason).build();
    }

    public static RecordOutcome nack(QueueRecord record, long delayMs, String reason) {
        return outcome(record, OutcomeType.OUTCOME_TYPE_NACK).setDelayMs(delayMs).setReason(reason).build();
    }

    public static RecordOutcome reject(QueueRecord record, String reason) {
        return outcome(record, OutcomeType.OUTCOME_TYPE_REJECT).setReason(reason).build();
    }

    public static RecordOutcome extend(QueueRecord record, long ms) {
        return outcome(record, OutcomeType.OUTCOME_TYPE_EXTEND).setDelayMs(ms).build();
    }

    private static RecordOutcome.Builder outcome(QueueRecord record, OutcomeType type) {
        return RecordOutcome.newBuilder().setTopic(record.getTopic()).setPartition(record.getPartition())
                .setOffset(record.getOffset()).setType(type);
    }

    /** Sends a raw request (for protocol tests). */
    public void emit(ConsumeRequest request) {
        synchronized (requests) {
            requests.emitNext(request, Sinks.EmitFailureHandler.FAIL_FAST);
        }
    }

    /** Ends the stream from the client side (cancel), as a worker that goes away does. */
    @Override
    public void close() {
        subscription.dispose();
        // A cancelled subscription gets no more signals.
        ended.complete(null);
    }
}
