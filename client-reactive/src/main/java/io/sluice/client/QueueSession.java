package io.sluice.client;

import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.OutcomeError;
import io.sluice.proto.v1.QueueOutcomes;
import io.sluice.proto.v1.QueueOutcomesResult;
import io.sluice.proto.v1.QueueSubscription;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc.ReactorConsumerServiceStub;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordOutcome;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.SubscriptionMode;
import io.sluice.proto.v1.TopicSubscription;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One queue worker's subscription. All state lives on one scheduler worker (every event is a task on it), so it
 * needs no locks.
 *
 * <p>Credit works as for a consumer: grants keep {@code buffered + outstanding} at most
 * {@code min(demand, prefetch)} records and prefetchBytes bytes. Outcomes made during one task go to the broker
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
    private final ReactorConsumerServiceStub stub;
    private final RetryPolicy retry;
    private final Scheduler.Worker worker;
    private final ArrayDeque<io.sluice.proto.v1.QueueRecord> buffer = new ArrayDeque<>();
    private final List<Pending> unsent = new ArrayList<>();
    private final Map<Long, List<Pending>> unanswered = new HashMap<>();
    private FluxSink<QueueRecord<K, V>> sink;
    private Sinks.Many<ConsumeRequest> requests;
    private Disposable call;
    private int generation;
    private boolean subscribed;
    private boolean flushScheduled;
    /** The subscriber is gone: nothing more is delivered, answers to outcomes sent are still awaited. */
    private boolean done;
    private boolean finished;
    private long nextOutcomes = 1;
    private long demand;
    private long bufferedBytes;
    private long outstandingRecords;
    private long outstandingBytes;
    private long failingSince;
    private int failuresInARow;

    QueueSession(QueueOptions<K, V> options, ReactorConsumerServiceStub stub, RetryPolicy retry, Scheduler.Worker worker) {
        this.options = options;
        this.stub = stub;
        this.retry = retry;
        this.worker = worker;
    }

    Flux<QueueRecord<K, V>> records() {
        return Flux.create(s -> {
            sink = s;
            s.onRequest(n -> run(() -> {
                demand = saturatedAdd(demand, n);
                drain();
            }));
            s.onDispose(() -> run(this::stop));
            run(this::connect);
        }, FluxSink.OverflowStrategy.ERROR);
    }

    /** Sends an outcome with the others of this task; the Mono completes with the broker's answer. */
    Mono<Void> outcome(RecordOutcome outcome) {
        Sinks.One<Void> result = Sinks.one();
        if (!run(() -> queue(new Pending(outcome, result)))) {
            result.tryEmitError(ended());
        }
        return result.asMono();
    }

    private boolean run(Runnable task) {
        try {
            worker.schedule(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void connect() {
        if (done) {
            return;
        }
        int current = ++generation;
        subscribed = false;
        outstandingRecords = 0;
        outstandingBytes = 0;
        Subscribe subscribe = Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic(options.topic()))
                .setStart(options.start().toProto())
                .setMode(SubscriptionMode.SUBSCRIPTION_MODE_QUEUE)
                .setQueue(QueueSubscription.newBuilder().setName(options.queue()).putAllConfig(options.config()))
                .build();
        requests = Sinks.many().unicast().onBackpressureBuffer();
        requests.tryEmitNext(ConsumeRequest.newBuilder().setSubscribe(subscribe).build());
        call = stub.consume(requests.asFlux()).subscribe(
                response -> run(() -> onResponse(current, response)),
                error -> run(() -> onFailure(current, error)),
                () -> run(() -> onFailure(current, Errors.of(ErrorCode.BROKER_UNAVAILABLE, "the broker ended the stream", null))));
    }

    private void onResponse(int from, ConsumeResponse response) {
        if (from != generation || finished) {
            return;
        }
        try {
            switch (response.getResponseCase()) {
                case QUEUE_SUBSCRIBED -> {
                    subscribed = true;
                    failuresInARow = 0;
                    flushOutcomes();
                }
                case DELIVERY -> {
                    for (io.sluice.proto.v1.QueueRecord record : response.getDelivery().getRecordsList()) {
                        int bytes = record.getRecord().getSerializedSize();
                        outstandingRecords = Math.max(0, outstandingRecords - 1);
                        outstandingBytes = Math.max(0, outstandingBytes - bytes);
                        if (!done) {
                            buffer.add(record);
                            bufferedBytes += bytes;
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
        if (finished) {
            pending.result().tryEmitError(ended());
            return;
        }
        unsent.add(pending);
        if (!flushScheduled) {
            // Outcomes made in this task and those queued behind it travel together.
            flushScheduled = true;
            run(() -> {
                flushScheduled = false;
                flushOutcomes();
            });
        }
    }

    private void flushOutcomes() {
        if (!subscribed || unsent.isEmpty() || finished) {
            return;
        }
        long id = nextOutcomes++;
        List<Pending> batch = List.copyOf(unsent);
        unsent.clear();
        unanswered.put(id, batch);
        requests.tryEmitNext(ConsumeRequest.newBuilder().setOutcomes(QueueOutcomes.newBuilder().setId(id)
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
        while (demand > 0 && !buffer.isEmpty() && !sink.isCancelled()) {
            io.sluice.proto.v1.QueueRecord record = buffer.poll();
            bufferedBytes -= record.getRecord().getSerializedSize();
            demand--;
            sink.next(toRecord(record));
            if (done) {
                return;
            }
        }
        grant();
    }

    private QueueRecord<K, V> toRecord(io.sluice.proto.v1.QueueRecord delivered) {
        String topic = delivered.getTopic();
        Record record = delivered.getRecord();
        K key = options.keyDeserializer().deserialize(topic, record.hasKey() ? record.getKey().toByteArray() : null);
        V value = options.valueDeserializer().deserialize(topic, record.hasValue() ? record.getValue().toByteArray() : null);
        List<Header> headers = record.getHeadersList().stream().map(h -> new Header(h.getKey(), h.getValue().toByteArray())).toList();
        return new QueueRecord<>(topic, delivered.getPartition(), delivered.getOffset(), key, value, headers,
                record.getTimestampMs(), delivered.getDeliveryCount(), delivered.getLastFailure(),
                Duration.ofMillis(delivered.getLockTimeoutMs()), this::outcome);
    }

    private void grant() {
        if (!subscribed) {
            return;
        }
        long target = Math.min(demand, options.prefetchRecords());
        long records = target - buffer.size() - outstandingRecords;
        long bytes = options.prefetchBytes() - bufferedBytes - outstandingBytes;
        if (bytes <= 0) {
            return;
        }
        if (records <= 0) {
            // Record credit left but no byte credit (a large record used it up): one record of slack hands over bytes.
            if (outstandingBytes > 0 || outstandingRecords == 0) {
                return;
            }
            records = 1;
        }
        outstandingRecords += records;
        outstandingBytes += bytes;
        requests.tryEmitNext(ConsumeRequest.newBuilder()
                .setCredit(Credit.newBuilder().setRecords(records).setBytes(bytes)).build());
    }

    private void onFailure(int from, Throwable error) {
        if (from != generation || finished) {
            return;
        }
        // The broker released what the old stream held: buffered records come again, open outcomes are moot.
        buffer.clear();
        bufferedBytes = 0;
        failUnanswered(Errors.of(ErrorCode.BROKER_UNAVAILABLE, "the queue stream broke before the broker answered: "
                + error.getMessage() + "; the record may be delivered again", error));
        subscribed = false;
        if (done) {
            finish();
            return;
        }
        Throwable mapped = Errors.map(error);
        long now = System.nanoTime();
        if (failuresInARow++ == 0) {
            failingSince = now;
        }
        if (!Errors.retriable(mapped) || !retry.withinDeadline(now - failingSince)) {
            fail(mapped);
            return;
        }
        worker.schedule(this::connect, retry.backoff(failuresInARow - 1).toNanos(), TimeUnit.NANOSECONDS);
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
        bufferedBytes = 0;
        flushOutcomes();
        if (!subscribed || (unanswered.isEmpty() && unsent.isEmpty())) {
            finish();
            return;
        }
        worker.schedule(this::finish, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        done = true;
        if (requests != null) {
            requests.tryEmitComplete();
        }
        if (call != null) {
            call.dispose();
        }
        failUnanswered(ended());
        worker.dispose();
    }

    private void failUnanswered(Throwable error) {
        unanswered.values().forEach(batch -> batch.forEach(p -> p.result().tryEmitError(error)));
        unanswered.clear();
        if (finished) {
            unsent.forEach(p -> p.result().tryEmitError(error));
            unsent.clear();
        }
    }

    private static SluiceException ended() {
        return Errors.of(ErrorCode.BROKER_UNAVAILABLE, "the queue subscription has ended; the record goes back to the queue", null);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
