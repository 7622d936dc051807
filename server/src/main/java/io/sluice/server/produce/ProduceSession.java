package io.sluice.server.produce;

import io.sluice.proto.v1.Acks;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ProducerCredit;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.ResponseKind;
import io.sluice.server.error.SluiceException;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.Topic;
import java.time.Duration;
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
 */
final class ProduceSession {
    private final ProduceService service;
    /** Completes when the previous batch's backlog wait is over: waits end in request order. Mapper-only. */
    private Mono<Void> lastGate = Mono.empty();
    private CreditAccount account;
    private Sinks.Many<ProduceResponse> credits;
    private final AtomicReference<Disposable> recheck = new AtomicReference<>();
    /** The partition the stream last wrote: backlog headroom is judged on it. */
    private volatile PartitionLog lastPartition;
    private volatile Topic lastTopic;

    ProduceSession(ProduceService service) {
        this.service = service;
    }

    Flux<ProduceResponse> run(Flux<ProduceRequest> requests) {
        return requests.switchOnFirst((first, all) -> first.hasValue() && first.get().getUseCredit()
                ? credited(first.get(), all)
                : all.flatMapSequential(this::handle, service.maxInFlight, 1));
    }

    private Mono<ProduceResponse> handle(ProduceRequest request) {
        Mono<ProduceResponse> response = gate(request).then(service.handler.handle(request));
        return request.getAcks() == Acks.ACKS_NONE ? response.then(Mono.empty()) : response;
    }

    /** Waits, behind any earlier waiting batch of this stream, while the batch's blocking topic is at its backlog limit. */
    private Mono<Void> gate(ProduceRequest request) {
        Mono<Void> previous = lastGate;
        Sinks.Empty<Void> mine = Sinks.empty();
        lastGate = mine.asMono();
        int partition = request.hasPartition() ? request.getPartition() : -1;
        return previous.then(Mono.defer(() -> service.backlog.awaitRoom(request.getTopic(), partition)))
                .doFinally(signal -> mine.tryEmitEmpty());
    }

    private Flux<ProduceResponse> credited(ProduceRequest first, Flux<ProduceRequest> all) {
        account = new CreditAccount();
        credits = Sinks.many().unicast().onBackpressureBuffer();
        emit(account.topUp(service.credit.now(null, "")));
        boolean opening = first.getRecordsCount() == 0 && !first.hasBatch();
        Flux<ProduceResponse> batches = (opening ? all.skip(1) : all)
                .flatMapSequential(this::handleCredited, service.maxInFlight, 1)
                .doFinally(signal -> {
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
        long bytes = request.getRecordsCount() > 0
                ? request.getRecordsList().stream().mapToLong(Record::getSerializedSize).sum()
                : request.getBatch().getRecords().size();
        Mono<ProduceResponse> response;
        if (!account.tryAcquire(records, bytes)) {
            service.creditExceeded.increment();
            CreditAccount.State s = account.state();
            response = Mono.just(ProduceHandler.error(request, new SluiceException(ErrorCode.LIMIT_EXCEEDED,
                    "Batch of " + records + " records and " + bytes + " bytes exceeds the producer credit left ("
                            + s.availableRecords() + " records, " + s.availableBytes()
                            + " bytes): wait for a credit message before sending more", service.recheck.toMillis())));
        } else {
            CreditAccount.State s = account.state();
            service.inFlightRecords.record(s.inFlightRecords());
            service.inFlightBytes.record(s.inFlightBytes());
            response = gate(request).then(service.handler.handle(request))
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
            return service.credit.now(null, "");
        }
        return service.credit.now(service.backlog.headroom(topic, log), log.id());
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

    private void emit(ProducerCredit credit) {
        if (credit == null) {
            return;
        }
        if (credit.getReason() != io.sluice.proto.v1.ThrottleReason.THROTTLE_REASON_NONE) {
            service.throttled(credit.getReason());
        }
        credits.emitNext(ProduceResponse.newBuilder().setKind(ResponseKind.RESPONSE_KIND_CREDIT).setCredit(credit).build(),
                Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }
}
