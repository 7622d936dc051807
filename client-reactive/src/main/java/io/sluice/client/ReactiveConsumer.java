package io.sluice.client;

import io.sluice.proto.v1.ReactorConsumerServiceGrpc.ReactorConsumerServiceStub;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * Reads the subscribed topics. Each subscription to {@link #receive()} opens its own stream; Reactor demand
 * becomes broker credit, never more than the prefetch ahead of the subscriber.
 */
public final class ReactiveConsumer<K, V> {
    private final ConsumerOptions<K, V> options;
    private final ReactorConsumerServiceStub stub;
    private final RetryPolicy retry;
    private final Scheduler scheduler;

    ReactiveConsumer(ConsumerOptions<K, V> options, ReactorConsumerServiceStub stub, RetryPolicy retry, Scheduler scheduler) {
        if (options.subscriptions().isEmpty()) {
            throw new IllegalArgumentException("ConsumerOptions name no topic: call topics(...) or partitions(...)");
        }
        this.options = options;
        this.stub = stub;
        this.retry = retry;
        this.scheduler = scheduler;
    }

    /**
     * The records of every subscribed partition, in offset order per partition. After a retriable failure
     * (a broker restart) it resumes after the last record received, with no gap and no duplicate.
     */
    public Flux<ReceivedRecord<K, V>> receive() {
        return Flux.defer(() -> new ConsumerSession<>(options, stub, retry, scheduler.createWorker()).records());
    }
}
