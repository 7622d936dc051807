package io.sluice.client;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * An idempotent producer's id: fetched from the broker when first needed, then cached. Renewed after the
 * producer gave up on batches (delivery timeout): some of them may never have been appended, so the old
 * id's sequences would leave gaps; a new id starts its sequences afresh.
 */
final class ProducerIdentity {
    /** Reactor's "never expires" for a cached value. */
    private static final Duration FOREVER = Duration.ofMillis(Long.MAX_VALUE);

    private final Supplier<Mono<Long>> init;
    private final AtomicReference<Mono<Long>> current = new AtomicReference<>();
    /** The id {@link #current} resolved to, once it has; 0 until then. */
    private volatile long resolved;

    private ProducerIdentity(Supplier<Mono<Long>> init) {
        this.init = init;
        current.set(fetch());
    }

    /** Ids from InitProducer. */
    static ProducerIdentity from(Supplier<Mono<Long>> initProducer) {
        return new ProducerIdentity(initProducer);
    }

    /** Always 0: not idempotent. */
    static ProducerIdentity none() {
        return new ProducerIdentity(() -> Mono.just(0L));
    }

    /** The id to send with; a failure to fetch it is not cached. */
    Mono<Long> id() {
        return current.get();
    }

    /** Drops {@code stale} if it is still the current id: the next {@link #id()} fetches a new one. */
    void renew(long stale) {
        Mono<Long> was = current.get();
        if (stale != 0 && resolved == stale) {
            current.compareAndSet(was, fetch());
        }
    }

    private Mono<Long> fetch() {
        return Mono.defer(init).doOnNext(id -> resolved = id)
                .cache(id -> FOREVER, error -> Duration.ZERO, () -> Duration.ZERO);
    }
}
