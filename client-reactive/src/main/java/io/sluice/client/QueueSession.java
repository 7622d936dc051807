package io.sluice.client;

import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.OutcomeError;
import io.sluice.proto.v1.QueueOutcomes;
import io.sluice.proto.v1.QueueOutcomesResult;
import io.sluice.proto.v1.QueueSubscription;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc.ReactorConsumerServiceStub;
import io.sluice.proto.v1.RecordOutcome;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.SubscriptionMode;
import io.sluice.proto.v1.TopicSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One queue worker's subscription. All state lives on one scheduler worker (every event is a task on it), so it
 * needs no locks.
 *
 * <p>Credit works as for a consumer ({@link CreditGrants}), but tops up at once. Outcomes made during one task go to the broker
 * in one message, and each one's Mono completes with the broker's answer. After a retriable failure (a broker
 * restart) the session subscribes again: the broker released the records of the old stream, so those buffered
 * are dropped (they come again), and outcomes not yet answered fail with BrokerUnavailableException. When the
 * subscriber cancels, outcomes already sent get their answers (within {@link #CLOSE_TIMEOUT}) before the stream
 * closes, which hands the records still held back to the queue.
 */
final class QueueSession<K, V> {
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

    private record Pending(RecordOutcome outcome, Sinks.One<Void> result) {
    }

    private final QueueOptions<K, V> options;
    private final ConsumeStream stream;
    private final CreditGrants credit;
    private final PrefetchBuffer<io.sluice.proto.v1.QueueRecord> buffer = new PrefetchBuffer<>(r -> r.getRecord().getSerializedSize());
    private final List<Pending> unsent = new ArrayList<>();
    private final Map<Long, List<Pending>> unanswered = new HashMap<>();
    private FluxSink<QueueRecord<K, V>> sink;
    private boolean flushScheduled;
    /** The subscriber is gone: nothing more is delivered, answers to outcomes sent are still awaited. */
    private boolean done;
    private long nextOutcomes = 1;

    QueueSession(QueueOptions<K, V> options, ReactorConsumerServiceStub stub, RetryPolicy retry, Scheduler.Worker worker) {
        this.options = options;
        this.stream = new ConsumeStream(stub, retry, worker, this::onResponse, this::onFailure);
        this.credit = new CreditGrants(options.prefetchRecords(), options.prefetchBytes(), false);
    }

    Flux<QueueRecord<K, V>> records() {
        return Flux.create(s -> {
            sink = s;
            s.onRequest(n -> stream.run(() -> {
                credit.request(n);
                drain();
            }));
            s.onDispose(() -> stream.run(this::stop));
            stream.run(this::connect);
        }, FluxSink.OverflowStrategy.ERROR);
    }

    /** Sends an outcome with the others of this task; the Mono completes with the broker's answer. */
    Mono<Void> outcome(RecordOutcome outcome) {
        Sinks.One<Void> result = Sinks.one();
        if (!stream.run(() -> queue(new Pending(outcome, result)))) {
            result.tryEmitError(ended());
        }
        return result.asMono();
    }

    private void connect() {
        if (done) {
            return;
        }
        credit.reset();
        Subscribe subscribe = Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic(options.topic()))
                .setStart(options.start().toProto())
                .setMode(SubscriptionMode.SUBSCRIPTION_MODE_QUEUE)
                .setQueue(QueueSubscription.newBuilder().setName(options.queue()).putAllConfig(options.config()))
                .build();
        stream.open(ConsumeRequest.newBuilder().setSubscribe(subscribe).build());
    }

    private void onResponse(ConsumeResponse response) {
        try {
            switch (response.getResponseCase()) {
                case QUEUE_SUBSCRIBED -> {
                    stream.subscribed();
                    flushOutcomes();
                }
                case DELIVERY -> {
                    for (io.sluice.proto.v1.QueueRecord record : response.getDelivery().getRecordsList()) {
                        credit.received(1, record.getRecord().getSerializedSize());
                        if (!done) {
                            buffer.add(record);
                        }
                    }
                }
                case OUTCOMES_RESULT -> answered(response.getOutcomesResult());
                default -> {
                    // A newer broker's message: nothing to do with it.
                }
            }
            drain();
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void queue(Pending pending) {
        if (stream.isClosed()) {
            pending.result().tryEmitError(ended());
            return;
        }
        unsent.add(pending);
        if (!flushScheduled) {
            // Outcomes made in this task and those queued behind it travel together.
            flushScheduled = true;
            stream.run(() -> {
                flushScheduled = false;
                flushOutcomes();
            });
        }
    }

    private void flushOutcomes() {
        if (!stream.isSubscribed() || unsent.isEmpty() || stream.isClosed()) {
            return;
        }
        long id = nextOutcomes++;
        List<Pending> batch = List.copyOf(unsent);
        unsent.clear();
        unanswered.put(id, batch);
        stream.send(ConsumeRequest.newBuilder().setOutcomes(QueueOutcomes.newBuilder().setId(id)
                .addAllOutcomes(batch.stream().map(Pending::outcome).toList())).build());
    }

    private void answered(QueueOutcomesResult result) {
        List<Pending> batch = unanswered.remove(result.getId());
        if (batch == null) {
            return;
        }
        List<Pending> open = new ArrayList<>(batch);
        for (OutcomeError error : result.getErrorsList()) {
            for (Pending pending : open) {
                RecordOutcome o = pending.outcome();
                if (o.getPartition() == error.getPartition() && o.getOffset() == error.getOffset()
                        && o.getTopic().equals(error.getTopic())) {
                    pending.result().tryEmitError(Errors.of(error.getError(), error.getMessage(), null));
                    open.remove(pending);
                    break;
                }
            }
        }
        open.forEach(p -> p.result().tryEmitEmpty());
        if (done && unanswered.isEmpty()) {
            finish();
        }
    }

    private void drain() {
        if (done) {
            return;
        }
        while (credit.demanded() && !buffer.isEmpty() && !sink.isCancelled()) {
            io.sluice.proto.v1.QueueRecord record = buffer.poll();
            credit.delivered();
            sink.next(toRecord(record));
            if (done) {
                return;
            }
        }
        if (stream.isSubscribed()) {
            stream.grant(credit.next(buffer.size(), buffer.bytes()));
        }
    }

    private QueueRecord<K, V> toRecord(io.sluice.proto.v1.QueueRecord delivered) {
        ReceivedRecord<K, V> record = ReceivedRecord.decode(delivered.getTopic(), delivered.getPartition(), delivered.getOffset(),
                delivered.getRecord(), options.keyDeserializer(), options.valueDeserializer(), null);
        return new QueueRecord<>(record, delivered.getDeliveryCount(), delivered.getLastFailure(),
                Duration.ofMillis(delivered.getLockTimeoutMs()), this::outcome);
    }

    private void onFailure(Throwable error) {
        // The broker released what the old stream held: buffered records come again, open outcomes are moot.
        buffer.clear();
        failUnanswered(Errors.of(ErrorCode.BROKER_UNAVAILABLE, "the queue stream broke before the broker answered: "
                + error.getMessage() + "; the record may be delivered again", error));
        if (done) {
            finish();
            return;
        }
        Throwable mapped = Errors.map(error);
        if (!stream.retryLater(mapped, this::connect)) {
            fail(mapped);
        }
    }

    private void fail(Throwable error) {
        if (!done) {
            sink.error(error);
            stop();
        }
    }

    /** The subscriber is gone: outcomes already made still go out and get their answers, then the stream closes. */
    private void stop() {
        if (done) {
            return;
        }
        done = true;
        buffer.clear();
        flushOutcomes();
        if (!stream.isSubscribed() || (unanswered.isEmpty() && unsent.isEmpty())) {
            finish();
            return;
        }
        stream.schedule(this::finish, CLOSE_TIMEOUT);
    }

    private void finish() {
        done = true;
        if (!stream.close()) {
            return;
        }
        failUnanswered(ended());
        stream.dispose();
    }

    private void failUnanswered(Throwable error) {
        unanswered.values().forEach(batch -> batch.forEach(p -> p.result().tryEmitError(error)));
        unanswered.clear();
        if (stream.isClosed()) {
            unsent.forEach(p -> p.result().tryEmitError(error));
            unsent.clear();
        }
    }

    private static SluiceException ended() {
        return Errors.of(ErrorCode.BROKER_UNAVAILABLE, "the queue subscription has ended; the record goes back to the queue", null);
    }
}
