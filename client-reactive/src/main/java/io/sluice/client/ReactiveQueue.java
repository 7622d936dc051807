package io.sluice.client;

import io.sluice.proto.v1.ReactorConsumerServiceGrpc.ReactorConsumerServiceStub;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A worker of a shared queue: any number of workers (in this process or others) take the records of every
 * partition of the queue's topic, each record locked to one worker until it is settled. Records that fail are
 * delivered again after a backoff, and after too many failures go to the dead-letter topic.
 *
 * <pre>{@code
 * client.queue(QueueOptions.strings().queue("emails", "signups"))
 *         .process(record -> sendEmail(record.value()), 8)   // ack on success, nack on error
 *         .subscribe();
 * }</pre>
 */
public final class ReactiveQueue<K, V> {
    private final QueueOptions<K, V> options;
    private final ReactorConsumerServiceStub stub;
    private final RetryPolicy retry;
    private final Scheduler scheduler;

    ReactiveQueue(QueueOptions<K, V> options, ReactorConsumerServiceStub stub, RetryPolicy retry, Scheduler scheduler) {
        if (options.queue() == null || options.topic() == null) {
            throw new IllegalArgumentException("QueueOptions name no queue: call queue(name, topic)");
        }
        this.options = options;
        this.stub = stub;
        this.retry = retry;
        this.scheduler = scheduler;
    }

    /**
     * The records handed to this worker; each subscription is one worker (one stream). Reactor demand becomes
     * broker credit, at most the prefetch ahead of the subscriber. Settle each record (see {@link QueueRecord});
     * a record not settled within its lock timeout goes to another worker, and so do those still held when the
     * subscription ends. After a retriable failure (a broker restart) it subscribes again.
     */
    public Flux<QueueRecord<K, V>> receive() {
        return Flux.defer(() -> new QueueSession<>(options, stub, retry, scheduler.createWorker()).records());
    }

    /**
     * Runs {@code processor} on each record, at most {@code concurrency} at once, and settles the record by how
     * it ends: completes → ack; fails with {@link RejectRecordException} → reject (to the dead-letter topic);
     * fails with {@link RetryRecordException} → nack after its delay; fails otherwise → nack after the queue's
     * backoff, with the error as the reason. While a record is processed its lock is extended every half lock
     * timeout. Emits each record once its outcome is stored (or failed to be: see
     * {@link ProcessedRecord#settleError()}); cancel the returned Flux to stop.
     */
    public Flux<ProcessedRecord<K, V>> process(Function<QueueRecord<K, V>, ? extends Publisher<?>> processor, int concurrency) {
        Objects.requireNonNull(processor, "processor");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
        }
        return receive().flatMap(record -> processOne(record, processor), concurrency, 1);
    }

    private Mono<ProcessedRecord<K, V>> processOne(QueueRecord<K, V> record,
                                                  Function<QueueRecord<K, V>, ? extends Publisher<?>> processor) {
        return Mono.defer(() -> {
            Disposable keepLocked = keepLocked(record);
            return Mono.defer(() -> Mono.from(processor.apply(record)))
                    .then(Mono.defer(() -> settle(record, null)))
                    // settle never fails: a failure here is the processor's
                    .onErrorResume(error -> settle(record, error))
                    .doFinally(signal -> keepLocked.dispose());
        });
    }

    /** Extends the record's lock every half lock timeout until disposed. */
    private static Disposable keepLocked(QueueRecord<?, ?> record) {
        Duration every = record.lockTimeout().dividedBy(2);
        if (every.isZero()) {
            return () -> { };
        }
        return Flux.interval(every)
                .concatMap(tick -> record.extend(record.lockTimeout()).onErrorResume(e -> Mono.empty()))
                .subscribe();
    }

    /** Settles the record by how processing ended ({@code error} null: it succeeded); never fails. */
    private static <K, V> Mono<ProcessedRecord<K, V>> settle(QueueRecord<K, V> record, Throwable error) {
        ProcessedRecord.Outcome outcome;
        Mono<Void> sent;
        if (error == null) {
            outcome = ProcessedRecord.Outcome.ACKED;
            sent = record.ack();
        } else if (error instanceof RejectRecordException reject) {
            outcome = ProcessedRecord.Outcome.REJECTED;
            sent = record.reject(reject.reason());
        } else if (error instanceof RetryRecordException retry) {
            outcome = ProcessedRecord.Outcome.NACKED;
            sent = record.nack(retry.delay(), retry.reason());
        } else {
            outcome = ProcessedRecord.Outcome.NACKED;
            sent = record.nack(null, error.getMessage() == null ? error.toString()
                    : error.getClass().getSimpleName() + ": " + error.getMessage());
        }
        return sent.thenReturn(new ProcessedRecord<>(record, outcome, error, null))
                .onErrorResume(e -> Mono.just(new ProcessedRecord<>(record, outcome, error, e)));
    }
}
