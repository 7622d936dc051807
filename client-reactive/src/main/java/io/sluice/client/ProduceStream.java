package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ProducerCredit;
import io.sluice.proto.v1.ReactorProducerServiceGrpc.ReactorProducerServiceStub;
import io.sluice.proto.v1.ResponseKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

/**
 * The producer's one long-lived Produce stream, shared by all its sends: requests go out in call order and
 * each response is matched to its request by id. Requests queue only up to the callers' in-flight limits.
 *
 * <p>Each stream asks for credit (use_credit): a batch goes out only within the records and bytes the broker
 * granted; otherwise it waits for more credit (in order), fails, or is dropped, per {@link CreditExhausted}.
 *
 * <p>Idempotent batches (producer_id set) get their sequence when first sent, and a broken stream does not
 * fail them: the stream keeps every one not yet acknowledged, reconnects with backoff and resends them, same
 * sequence, in their original order, so the broker appends each once and per-partition order holds. It gives
 * up (failing them, and renewing the producer id) once the oldest is older than the delivery timeout. Other
 * batches fail with the stream, and the next request opens a new one; their callers retry them (at least once).
 *
 * <p>An idempotent batch the broker refuses (an error response: nothing appended), e.g. LIMIT_EXCEEDED or
 * RECORD_TOO_LARGE, fails to its caller, and its partition's sequence is rewound to it (see {@link Sequences}),
 * without breaking the stream (other partitions' batches in flight stay as they are). The partition's batches
 * sent after it come back OUT_OF_ORDER_SEQUENCE, for the gap: they were not appended, and go out again with new
 * sequences, in their original order, ahead of any newer batch of the partition: those wait until the
 * partition's batches sent so far are all answered (other partitions' batches pass them meanwhile).
 */
final class ProduceStream implements AutoCloseable {
    /**
     * The broker recognises a resend only among a producer's last 5 batches of a partition: no more may be
     * unacknowledged, or a resend could be refused as too old although it was appended.
     */
    static final int MAX_UNACKNOWLEDGED_PER_PARTITION = 5;

    private final ReactorProducerServiceStub stub;
    private final CreditExhausted onExhausted;
    private final Consumer<DroppedBatch> onDrop;
    private final RetryPolicy backoff;
    private final Duration deliveryTimeout;
    /** Told of each producer id whose batches were given up at the delivery timeout. */
    private final LongConsumer onGiveUp;
    private final AtomicLong creditWaitNanos = new AtomicLong();

    // Guarded by this. Request ids count up in the order requests reach the stream, so ordering by id
    // is the original order, for sending and resending alike.
    private final Sequences sequences = new Sequences();
    /** Requests not sent on the current connection yet: new ones, and resends after a failure. */
    private final SortedMap<Long, Outstanding> queued = new TreeMap<>();
    private long lastRequestId;
    private Connection current;
    private boolean reconnectScheduled;
    private int failuresInARow;
    private boolean closed;
    private final ClientMeters meters;

    ProduceStream(ReactorProducerServiceStub stub, CreditExhausted onExhausted, Consumer<DroppedBatch> onDrop,
                  RetryPolicy backoff, Duration deliveryTimeout, LongConsumer onGiveUp) {
        this(stub, onExhausted, onDrop, backoff, deliveryTimeout, onGiveUp, ClientMeters.NONE);
    }

    ProduceStream(ReactorProducerServiceStub stub, CreditExhausted onExhausted, Consumer<DroppedBatch> onDrop,
                  RetryPolicy backoff, Duration deliveryTimeout, LongConsumer onGiveUp, ClientMeters meters) {
        this.meters = meters;
        this.stub = stub;
        this.onExhausted = onExhausted;
        this.onDrop = onDrop;
        this.backoff = backoff;
        this.deliveryTimeout = deliveryTimeout;
        this.onGiveUp = onGiveUp;
    }

    /** Total time batches spent waiting for credit. */
    Duration creditWaitTime() {
        return Duration.ofNanos(creditWaitNanos.get());
    }

    /**
     * Sends the request; the Mono is its response (never an error response: those become exceptions). An
     * idempotent request (producer_id set) gets its sequence here, when it is first sent.
     */
    Mono<ProduceResponse> send(ProduceRequest.Builder request, boolean expectResponse) {
        return Mono.create(sink -> {
            List<Runnable> after = new ArrayList<>();
            long id;
            synchronized (this) {
                if (closed) {
                    id = -1;
                    after.add(() -> sink.error(new IllegalStateException("the producer is closed")));
                } else {
                    id = ++lastRequestId;
                    long now = System.nanoTime();
                    admit(new Outstanding(id, request.setRequestId(id).build(), expectResponse ? sink : null, now, now,
                            false), after);
                }
            }
            if (id > 0 && expectResponse) {
                sink.onCancel(() -> cancel(id));
            }
            after.forEach(Runnable::run);
            if (id > 0 && !expectResponse) {
                sink.success(ProduceResponse.newBuilder().setRequestId(id).setTopic(request.getTopic())
                        .setPartition(request.getPartition()).setBaseOffset(-1).build());
            }
        });
    }

    /** Opens the stream now, so its initial credit is there by the time the first batch is ready. */
    void open() {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (!closed) {
                connection(after);
            }
        }
        after.forEach(Runnable::run);
    }

    @Override
    public void close() {
        closeGracefully();
    }

    /**
     * Ends the request stream and completes once the broker has answered everything sent (so records sent
     * with acks=none have reached it too). Batches waiting for a reconnect fail.
     */
    Mono<Void> closeGracefully() {
        List<Runnable> after = new ArrayList<>();
        Mono<Void> ended;
        synchronized (this) {
            closed = true;
            if (current == null) {
                failQueued(new IllegalStateException("the producer is closed"), after);
                ended = Mono.empty();
            } else {
                current.finishing = true;
                if (queued.isEmpty()) {
                    current.endRequests();
                }
                ended = current.ended.asMono();
            }
        }
        after.forEach(Runnable::run);
        return ended;
    }

    /**
     * The current connection, opened unless a reconnect is already scheduled (then null). A new one's call
     * starts in {@code after}, outside the lock: gRPC may fail it at once, on this thread, and its failure
     * handling must see the request being admitted already queued.
     */
    private Connection connection(List<Runnable> after) {
        if (current == null && !reconnectScheduled) {
            current = new Connection();
            after.add(current::start);
        }
        return current;
    }

    /** Sends the request now, queues it, or applies the credit policy. */
    private void admit(Outstanding request, List<Runnable> after) {
        Connection connection = connection(after);
        // It may pass only requests held for a rewind, as drain() does.
        boolean nextInLine = queued.values().stream().allMatch(this::heldForRewind);
        if (nextInLine && connection != null && connection.ready(request)) {
            connection.emit(request);
            return;
        }
        boolean creditShort = connection != null && connection.credit.granted() && !connection.credit.stopped()
                && !connection.credit.fits(request.request(), connection.sent.size());
        if (!creditShort || onExhausted == CreditExhausted.WAIT) {
            queued.put(request.id(), request);
            return;
        }
        String why = connection.credit.exhausted();
        MonoSink<ProduceResponse> reply = request.reply();
        if (onExhausted == CreditExhausted.ERROR) {
            if (reply != null) {
                after.add(() -> reply.error(Errors.of(ErrorCode.LIMIT_EXCEEDED, why, null)));
            }
            return;
        }
        ProduceRequest proto = request.request();
        after.add(() -> onDrop.accept(new DroppedBatch(proto.getTopic(), proto.getPartition(), Credit.records(proto), why)));
        if (reply != null) {
            after.add(reply::success);
        }
    }

    /**
     * Sends queued requests, in order, while they fit. Those held for their partition's rewind are passed
     * over, all of that partition's together, so its order holds; the ones passing them include resends
     * (they hold sequences) that the rewind waits for.
     */
    private void drain() {
        long now = System.nanoTime();
        Iterator<Outstanding> head = queued.values().iterator();
        while (head.hasNext()) {
            Outstanding next = head.next();
            if (heldForRewind(next)) {
                continue;
            }
            if (!current.ready(next)) {
                break;
            }
            head.remove();
            creditWaitNanos.addAndGet(now - next.queuedAt());
            meters.creditWait(now - next.queuedAt());
            current.emit(next);
        }
        if (current.finishing && queued.isEmpty()) {
            current.endRequests();
        }
    }

    /** An idempotent request yet to take a sequence of a partition that is rewinding: it waits for the rewind. */
    private boolean heldForRewind(Outstanding request) {
        return request.idempotent() && !request.sequenced() && sequences.rewinding(request.producerId(), request.partition());
    }

    private synchronized void cancel(long id) {
        Outstanding waiting = queued.get(id);
        if (waiting != null) {
            if (waiting.sequenced()) {
                // Already sent once: it must still be resent, or its sequence would leave a gap.
                queued.put(id, waiting.withoutReply());
            } else {
                queued.remove(id);
            }
        }
        Outstanding sent = current == null ? null : current.sent.get(id);
        if (sent != null) {
            if (sent.idempotent()) {
                current.sent.put(id, sent.withoutReply());
            } else {
                current.sent.remove(id);
            }
        }
    }

    private void onResponse(Connection connection, ProduceResponse response) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (connection != current) {
                return;
            }
            if (response.getKind() == ResponseKind.RESPONSE_KIND_CREDIT) {
                connection.credit.grant(response.getCredit());
                meters.throttled(response.getCredit().getReason());
                drain();
                return;
            }
            Outstanding answered = connection.sent.remove(response.getRequestId());
            if (answered == null) {
                return;
            }
            MonoSink<ProduceResponse> reply = answered.reply();
            if (response.getErrorCode() == ErrorCode.ERROR_CODE_NONE) {
                failuresInARow = 0;
                if (answered.idempotent()) {
                    sequences.appended(answered.producerId(), answered.partition(), answered.sequence());
                }
                if (reply != null) {
                    after.add(() -> reply.success(response));
                }
            } else {
                SluiceException error = Errors.of(response);
                if (answered.idempotent() && error.retriable()) {
                    // Not appended, so the broker will refuse this partition's later batches as out of order:
                    // resend everything from this batch on, on a new stream.
                    connection.sent.put(answered.id(), answered);
                    failed(connection, error, after);
                } else if (answered.idempotent() && response.getErrorCode() == ErrorCode.OUT_OF_ORDER_SEQUENCE
                        && sequences.rewinding(answered.producerId(), answered.partition())) {
                    // Refused only for the gap an earlier refused batch left: send it again with a new sequence.
                    resendAfterRewind(answered, error, after);
                } else {
                    if (answered.idempotent()) {
                        // Nothing appended: its sequence is to be used again.
                        sequences.refused(answered.producerId(), answered.partition(), answered.sequence());
                    }
                    if (reply != null) {
                        after.add(() -> reply.error(error));
                    }
                }
            }
            if (connection == current) {
                if (answered.idempotent()) {
                    rewindIfSettled(answered.producerId(), answered.partition());
                }
                drain();
            }
        }
        after.forEach(Runnable::run);
    }

    /**
     * Queues a batch refused as out of order while its partition rewinds: it was not appended, and goes out
     * again (in its original place: the queue is in request order) with a new sequence once the partition is
     * rewound. Unless nobody waits for it any more.
     */
    private void resendAfterRewind(Outstanding refused, SluiceException error, List<Runnable> after) {
        MonoSink<ProduceResponse> reply = refused.reply();
        if (reply == null) {
            return;
        }
        if (current.requestsEnded) {
            // Closing, and everything was sent: nothing more can go out.
            after.add(() -> reply.error(new IllegalStateException("the producer closed before this batch could be"
                    + " sent again (an earlier batch of its partition was refused): " + error.getMessage())));
            return;
        }
        queued.put(refused.id(), refused.unsequenced(System.nanoTime()));
    }

    /**
     * Rewinds a rewinding partition once none of its batches holding a sequence awaits an answer, sent or
     * queued for a resend: then the next batch of it takes the sequence the broker expects.
     */
    private void rewindIfSettled(long producerId, TopicPartition partition) {
        if (!sequences.rewinding(producerId, partition)) {
            return;
        }
        boolean awaited = Stream.concat(current.sent.values().stream(), queued.values().stream())
                .anyMatch(o -> o.sequenced() && o.producerId() == producerId && o.partition().equals(partition));
        if (!awaited) {
            sequences.rewind(producerId, partition);
        }
    }

    private void onEnd(Connection connection, Throwable error) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (connection == current) {
                failed(connection, error, after);
            }
        }
        after.forEach(Runnable::run);
    }

    /** The connection is lost: fail what cannot be resent, and schedule a reconnect for what can. */
    private void failed(Connection connection, Throwable error, List<Runnable> after) {
        current = null;
        after.add(connection::close);
        Throwable mapped = Errors.map(error);
        queued.putAll(connection.sent);
        long now = System.nanoTime();
        boolean expired = queued.values().stream()
                .anyMatch(o -> o.idempotent() && now - o.since() >= deliveryTimeout.toNanos());
        if (expired) {
            mapped = Errors.of(ErrorCode.BROKER_UNAVAILABLE, "delivery timeout (" + deliveryTimeout
                    + ") passed while resending: " + mapped.getMessage(), mapped);
        }
        boolean resend = Errors.retriable(mapped) && !closed && !expired;
        if (!resend) {
            // Given up unanswered, batches that hold a sequence may or may not have been appended: their
            // producer id's sequences may now have gaps, so the producer goes on under a new id.
            queued.values().stream().filter(Outstanding::sequenced).mapToLong(Outstanding::producerId)
                    .distinct().forEach(id -> {
                        sequences.forget(id);
                        after.add(() -> onGiveUp.accept(id));
                    });
        }
        Throwable cause = mapped;
        Iterator<Map.Entry<Long, Outstanding>> all = queued.entrySet().iterator();
        while (all.hasNext()) {
            Map.Entry<Long, Outstanding> entry = all.next();
            Outstanding request = entry.getValue();
            if (resend && request.idempotent()) {
                entry.setValue(request.requeued(now));
            } else {
                all.remove();
                if (request.reply() != null) {
                    after.add(() -> request.reply().error(cause));
                }
            }
        }
        if (!queued.isEmpty()) {
            reconnectScheduled = true;
            Duration wait = backoff.backoff(failuresInARow++);
            after.add(() -> Mono.delay(wait).subscribe(tick -> reconnect()));
        }
    }

    private void reconnect() {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            reconnectScheduled = false;
            if (closed) {
                failQueued(new IllegalStateException("the producer is closed"), after);
            } else {
                connection(after);
            }
        }
        after.forEach(Runnable::run);
    }

    private void failQueued(Throwable error, List<Runnable> after) {
        queued.values().forEach(request -> {
            if (request.reply() != null) {
                after.add(() -> request.reply().error(error));
            }
        });
        queued.clear();
    }

    /**
     * A request handed to the stream and not yet answered.
     *
     * @param reply     null for acks=none, or once the caller cancelled
     * @param since     when it reached the stream (the delivery timeout counts from here)
     * @param queuedAt  when it last joined the queue (for the credit wait time)
     * @param sequenced whether its sequence is set (it has been sent at least once)
     */
    private record Outstanding(long id, ProduceRequest request, MonoSink<ProduceResponse> reply, long since,
                               long queuedAt, boolean sequenced) {
        boolean idempotent() {
            return request.getProducerId() != 0;
        }

        long producerId() {
            return request.getProducerId();
        }

        int sequence() {
            return request.getSequence();
        }

        TopicPartition partition() {
            return new TopicPartition(request.getTopic(), request.getPartition());
        }

        Outstanding withSequence(int sequence) {
            return new Outstanding(id, request.toBuilder().setSequence(sequence).build(), reply, since, queuedAt, true);
        }

        /** To be sent again as if new: it takes a new sequence when next sent. */
        Outstanding unsequenced(long now) {
            return new Outstanding(id, request.toBuilder().clearSequence().build(), reply, since, now, false);
        }

        Outstanding withoutReply() {
            return new Outstanding(id, request, null, since, queuedAt, sequenced);
        }

        Outstanding requeued(long now) {
            return new Outstanding(id, request, reply, since, now, sequenced);
        }
    }

    /** One gRPC call, with its own credit. Its state is guarded by the stream's lock. */
    private final class Connection {
        private final Sinks.Many<ProduceRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        /** Sent and awaiting a response, by id. */
        private final SortedMap<Long, Outstanding> sent = new TreeMap<>();
        private final Credit credit = new Credit();
        private final Sinks.Empty<Void> ended = Sinks.empty();
        private boolean finishing;
        /** Closing, and nothing more to send: the request stream is complete. */
        private boolean requestsEnded;
        // Set outside the lock (start runs without it), so volatile; either side disposes whatever it sees.
        private volatile Disposable call;
        private volatile boolean over;

        /** Starts the call; its callbacks take the stream's lock, so this must run without it. */
        void start() {
            requests.tryEmitNext(ProduceRequest.newBuilder().setUseCredit(true).build());
            Disposable started = stub.produce(requests.asFlux()).subscribe(response -> onResponse(this, response),
                    error -> onEnd(this, error),
                    () -> onEnd(this, Errors.of(ErrorCode.BROKER_UNAVAILABLE, "the broker ended the produce stream", null)));
            call = started;
            if (over) {
                started.dispose();
            }
        }

        /**
         * Within credit and, for an idempotent batch, within the broker's memory of its partition, and not
         * about to take a sequence of a partition that is rewinding.
         */
        boolean ready(Outstanding request) {
            if (!credit.fits(request.request(), sent.size())) {
                return false;
            }
            if (!request.idempotent()) {
                return true;
            }
            if (heldForRewind(request)) {
                return false;
            }
            TopicPartition partition = request.partition();
            return sent.values().stream().filter(o -> o.idempotent() && o.partition().equals(partition)).count()
                    < MAX_UNACKNOWLEDGED_PER_PARTITION;
        }

        void endRequests() {
            requestsEnded = true;
            requests.tryEmitComplete();
        }

        void emit(Outstanding request) {
            Outstanding stamped = request.idempotent() && !request.sequenced()
                    ? request.withSequence(sequences.take(request.producerId(), request.partition()))
                    : request;
            credit.take(stamped.request());
            if (stamped.reply() != null || stamped.idempotent()) {
                sent.put(stamped.id(), stamped);
            }
            requests.tryEmitNext(stamped.request());
        }

        /** Cancels the call if it still runs; the broker forgets it, and its late responses are ignored. */
        void close() {
            over = true;
            Disposable started = call;
            if (started != null) {
                started.dispose();
            }
            requests.tryEmitComplete();
            ended.tryEmitEmpty();
        }
    }
}
