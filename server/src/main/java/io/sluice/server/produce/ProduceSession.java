package io.sluice.server.produce;

import io.sluice.proto.v1.Acks;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ProducerCredit;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.ResponseKind;
import io.sluice.proto.v1.ThrottleReason;
import io.sluice.server.error.SluiceException;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.Topic;
import io.sluice.server.quota.RateLimits;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One Produce stream. At most maxInFlight batches are taken from the network at a time (reactor-grpc reads
 * only as demand allows), so a stream never holds more in the broker. A batch for a blocking topic whose
 * backlog is full waits, in order, before it is appended: the stream is then no longer read.
 *
 * <p>A stream whose first request sets use_credit also gets credit: the initial window at once, then
 * back what each batch used once it is acknowledged, less under pressure; a batch beyond the credit left is
 * refused with LIMIT_EXCEEDED. While throttled, the stream is re-evaluated every recheck interval.
 *
 * <p>Byte-rate quotas (the topic's, the client id's) are charged when a batch is admitted, and admission
 * waits, in order, while a quota is in debt: a stream that ignores credit is then no longer read (at most
 * maxInFlight batches wait). A credit-aware stream is paced before that: its grants are capped by what the
 * quotas' buckets hold (reason QUOTA), so it waits on its side, holding nothing in the broker.
 *
 * <p>When the broker shuts down ({@link #shutDown}), a credit-aware stream is told so (credit 0, reason
 * SHUTTING_DOWN) and gets no more credit; the batches read so far are appended and answered (those still
 * waiting for backlog room or quota are refused with BROKER_UNAVAILABLE, not appended), nothing read later is
 * appended, and the stream then ends with UNAVAILABLE.
 */
final class ProduceSession {
    private final ProduceService service;
    /**
     * Fires on shutdown: the requests end (nothing more is read), and batches still waiting for backlog room
     * or quota stop waiting, and are refused.
     */
    private final Sinks.Empty<Void> draining = Sinks.empty();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final AtomicBoolean noticeSent = new AtomicBoolean();
    /** Whether the requests ended because of the shutdown (not because the client ended them). */
    private volatile boolean stopped;
    private final String clientId;
    /** Nanos since the stream used up its credit, or 0 while it has some. */
    private final java.util.concurrent.atomic.AtomicLong starvedSince = new java.util.concurrent.atomic.AtomicLong();
    /** Completes when the previous batch's backlog wait is over: waits end in request order. Mapper-only. */
    private Mono<Void> lastGate = Mono.empty();
    private CreditAccount account;
    private volatile Sinks.Many<ProduceResponse> credits;
    private final AtomicReference<Disposable> recheck = new AtomicReference<>();
    /** The partition the stream last wrote: backlog headroom is judged on it. */
    private volatile PartitionLog lastPartition;
    private volatile Topic lastTopic;

    ProduceSession(ProduceService service, String clientId) {
        this.service = service;
        this.clientId = clientId;
    }

    private RateLimits quotas(String topic) {
        return service.quotas == null ? RateLimits.NONE : service.quotas.of(topic, clientId);
    }

    Flux<ProduceResponse> run(Flux<ProduceRequest> requests) {
        Flux<ProduceRequest> input = new UntilStopped<>(requests, draining.asMono(), () -> stopped = true);
        // After the shutdown the answers to what was read still go out; then the stream ends with UNAVAILABLE.
        return input.switchOnFirst((first, all) -> first.hasValue() && first.get().getUseCredit()
                        ? credited(first.get(), all)
                        : all.flatMapSequential(this::handle, service.maxInFlight, 1))
                .concatWith(Mono.defer(() -> stopped ? Mono.error(shutdownError().toStatus()) : Mono.empty()));
    }

    /**
     * Tells the stream the broker shuts down: a credit-aware client gets credit 0 with reason SHUTTING_DOWN
     * and no more grants; what was read is answered, then the stream ends. Idempotent, any thread.
     */
    void shutDown() {
        if (!shuttingDown.compareAndSet(false, true)) {
            return;
        }
        if (credits != null) {
            sendShutdownNotice();
        }
        draining.tryEmitEmpty();
    }

    private void sendShutdownNotice() {
        if (noticeSent.compareAndSet(false, true)) {
            emit(ProducerCredit.newBuilder().setReason(ThrottleReason.SHUTTING_DOWN)
                    .setMessage("The broker is shutting down: send nothing more on this stream. The batches already "
                            + "sent are answered, then the stream ends (UNAVAILABLE); send the rest to another broker "
                            + "or after a reconnect")
                    .build());
        }
    }

    private static SluiceException shutdownError() {
        return new SluiceException(ErrorCode.BROKER_UNAVAILABLE, "The broker is shutting down: every batch this stream "
                + "sent before has been answered; reconnect (to another broker or later) to send more");
    }

    private Mono<ProduceResponse> handle(ProduceRequest request) {
        Mono<ProduceResponse> response = gate(request).flatMap(admitted -> appendIfAdmitted(request, admitted));
        return request.getAcks() == Acks.ACKS_NONE ? response.then(Mono.empty()) : response;
    }

    /** A batch whose wait the shutdown ended is refused, not appended; the others are appended, even while draining. */
    private Mono<ProduceResponse> appendIfAdmitted(ProduceRequest request, boolean admitted) {
        if (!admitted) {
            return Mono.just(ProduceHandler.error(request, new SluiceException(ErrorCode.BROKER_UNAVAILABLE,
                    "The broker is shutting down: this batch was not appended; send it again after a reconnect")));
        }
        return service.handler.handle(request);
    }

    /**
     * Waits, behind any earlier waiting batch of this stream, while the batch's blocking topic is at its backlog
     * limit or a quota is in debt. True once the batch may be appended; false if a shutdown ended the wait.
     */
    private Mono<Boolean> gate(ProduceRequest request) {
        Mono<Void> previous = lastGate;
        Sinks.Empty<Void> mine = Sinks.empty();
        lastGate = mine.asMono();
        int partition = request.hasPartition() ? request.getPartition() : -1;
        return previous.then(Mono.defer(() -> service.backlog.awaitRoom(request.getTopic(), partition)))
                .then(Mono.defer(() -> awaitQuota(request, 0)))
                .thenReturn(true)
                // A shutdown ends the wait: false, the batch is refused.
                .or(draining.asMono().thenReturn(false))
                .doFinally(signal -> mine.tryEmitEmpty());
    }

    /** Admits the batch once no quota of it is in debt, and charges its bytes; waits on the timer meanwhile. */
    private Mono<Void> awaitQuota(ProduceRequest request, long since) {
        RateLimits limits = quotas(request.getTopic());
        if (limits.none()) {
            return Mono.empty();
        }
        long waitNanos = limits.nanosUntil(0);
        if (waitNanos <= 0) {
            limits.take(payloadBytes(request));
            if (since != 0) {
                service.quotaWait.record(System.nanoTime() - since, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
            return Mono.empty();
        }
        long waitingSince = since != 0 ? since : System.nanoTime();
        return Mono.delay(Duration.ofNanos(Math.max(waitNanos, 1_000_000)), service.timer)
                .then(Mono.defer(() -> awaitQuota(request, waitingSince)));
    }

    static long payloadBytes(ProduceRequest request) {
        return request.getRecordsCount() > 0
                ? request.getRecordsList().stream().mapToLong(Record::getSerializedSize).sum()
                : request.getBatch().getRecords().size();
    }

    private Flux<ProduceResponse> credited(ProduceRequest first, Flux<ProduceRequest> all) {
        account = new CreditAccount();
        credits = Sinks.many().unicast().onBackpressureBuffer();
        boolean opening = first.getRecordsCount() == 0 && !first.hasBatch();
        RateLimits openingQuotas = service.quotas == null ? RateLimits.NONE
                : opening ? service.quotas.opening(clientId) : quotas(first.getTopic());
        Throttle initial = service.credit.now(null, "", openingQuotas);
        emit(account.topUp(initial));
        if (initial.throttled()) {
            startRecheck();
        }
        if (shuttingDown.get()) {
            sendShutdownNotice();
        }
        Flux<ProduceResponse> batches = (opening ? all.skip(1) : all)
                .flatMapSequential(this::handleCredited, service.maxInFlight, 1)
                .doFinally(signal -> {
                    service.outstandingBytes.addAndGet(-Math.max(0, account.state().availableBytes()));
                    endStarved();
                    Disposable timer = recheck.getAndSet(reactor.core.Disposables.disposed());
                    if (timer != null) {
                        timer.dispose();
                    }
                    credits.tryEmitComplete();
                });
        return Flux.merge(credits.asFlux(), batches);
    }

    private Mono<ProduceResponse> handleCredited(ProduceRequest request) {
        long records = request.getRecordsCount() > 0 ? request.getRecordsCount() : request.getBatch().getRecordCount();
        long bytes = payloadBytes(request);
        Mono<ProduceResponse> response;
        long availableBefore = Math.max(0, account.state().availableBytes());
        if (!account.tryAcquire(records, bytes)) {
            service.creditExceeded.increment();
            CreditAccount.State s = account.state();
            response = Mono.just(ProduceHandler.error(request, new SluiceException(ErrorCode.LIMIT_EXCEEDED,
                    "Batch of " + records + " records and " + bytes + " bytes exceeds the producer credit left ("
                            + s.availableRecords() + " records, " + s.availableBytes()
                            + " bytes): wait for a credit message before sending more", service.recheck.toMillis())));
        } else {
            CreditAccount.State s = account.state();
            service.usedRecords.increment(records);
            service.usedBytes.increment(bytes);
            service.outstandingBytes.addAndGet(-Math.min(bytes, availableBefore));
            if (s.availableRecords() <= 0 || s.availableBytes() <= 0) {
                starvedSince.compareAndSet(0, System.nanoTime());
            }
            service.inFlightRecords.record(s.inFlightRecords());
            service.inFlightBytes.record(s.inFlightBytes());
            response = gate(request).flatMap(admitted -> appendIfAdmitted(request, admitted))
                    .doOnNext(done -> afterBatch(done, records, bytes));
        }
        return request.getAcks() == Acks.ACKS_NONE ? response.then(Mono.empty()) : response;
    }

    /** Gives back the batch's credit, as much as the current window allows. */
    private void afterBatch(ProduceResponse response, long records, long bytes) {
        service.logs.find(response.getTopic()).ifPresent(topic -> {
            if (response.getPartition() >= 0 && response.getPartition() < topic.partitionCount()) {
                lastTopic = topic;
                lastPartition = topic.partition(response.getPartition());
            }
        });
        Throttle throttle = throttle();
        emit(account.release(records, bytes, throttle));
        if (throttle.throttled()) {
            startRecheck();
        }
    }

    private Throttle throttle() {
        Topic topic = lastTopic;
        PartitionLog log = lastPartition;
        if (topic == null || log == null || log.deleted()) {
            return service.credit.now(null, "", service.quotas == null ? RateLimits.NONE : service.quotas.opening(clientId));
        }
        return service.credit.now(service.backlog.headroom(topic, log), log.id(), quotas(topic.name()));
    }

    /** While throttled, re-evaluates the window every recheck interval and grants what it allows. */
    private void startRecheck() {
        if (recheck.get() != null) {
            return;
        }
        Duration every = service.recheck;
        Disposable timer = Flux.interval(every, every, service.timer).onBackpressureDrop().subscribe(tick -> {
            Throttle throttle = throttle();
            emit(account.topUp(throttle));
            Disposable self = recheck.get();
            // Stop once unthrottled, unless the stream ended (then it holds the disposed sentinel).
            if (!throttle.throttled() && self != null && !self.isDisposed() && recheck.compareAndSet(self, null)) {
                self.dispose();
            }
        });
        if (!recheck.compareAndSet(null, timer)) {
            timer.dispose();
        }
    }

    private void endStarved() {
        long since = starvedSince.getAndSet(0);
        if (since != 0) {
            service.starved.record(System.nanoTime() - since, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private void emit(ProducerCredit credit) {
        if (credit == null || noticeSent.get() && credit.getReason() != ThrottleReason.SHUTTING_DOWN) {
            // After the shutdown notice, no grant: the client must send nothing more.
            return;
        }
        if (credit.getRecords() > 0 || credit.getBytes() > 0) {
            service.grantedRecords.increment(credit.getRecords());
            service.grantedBytes.increment(credit.getBytes());
            service.outstandingBytes.addAndGet(credit.getBytes());
            if (credit.getRecords() > 0 && credit.getBytes() > 0) {
                endStarved();
            }
        }
        if (credit.getReason() != io.sluice.proto.v1.ThrottleReason.THROTTLE_REASON_NONE) {
            service.throttled(credit.getReason());
        }
        credits.emitNext(ProduceResponse.newBuilder().setKind(ResponseKind.RESPONSE_KIND_CREDIT).setCredit(credit).build(),
                Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }
}
