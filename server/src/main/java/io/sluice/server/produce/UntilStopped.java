package io.sluice.server.produce;

import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * A stream's requests until {@code stop} completes: then they complete at once, and the source is asked for
 * nothing more but not cancelled. Why not {@code takeUntilOther}: reactor-grpc answers the cancel of a call's
 * inbound by cancelling the whole call 100 ms later, while the answers to the batches already read must
 * still go out; ending the response stream closes the call, which releases the source.
 */
final class UntilStopped<T> extends Flux<T> {
    private final Flux<T> source;
    private final Mono<Void> stop;
    private final Runnable onStop;

    /** @param onStop runs just before the completion that {@code stop} caused, if it caused one */
    UntilStopped(Flux<T> source, Mono<Void> stop, Runnable onStop) {
        this.source = source;
        this.stop = stop;
        this.onStop = onStop;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        source.subscribe(new Relay<>(Operators.serialize(actual), stop, onStop));
    }

    private static final class Relay<T> implements CoreSubscriber<T>, Subscription {
        private final CoreSubscriber<? super T> actual;
        private final Mono<Void> stop;
        private final Runnable onStop;
        private final AtomicBoolean done = new AtomicBoolean();
        private Subscription upstream;
        private volatile Disposable stopping;

        Relay(CoreSubscriber<? super T> actual, Mono<Void> stop, Runnable onStop) {
            this.actual = actual;
            this.stop = stop;
            this.onStop = onStop;
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            actual.onSubscribe(this);
            Disposable subscribed = stop.subscribe(null, e -> stopNow(), this::stopNow);
            stopping = subscribed;
            if (done.get()) {
                subscribed.dispose();
            }
        }

        private void stopNow() {
            if (done.compareAndSet(false, true)) {
                onStop.run();
                actual.onComplete();
            }
        }

        @Override
        public void onNext(T item) {
            if (!done.get()) {
                actual.onNext(item);
            }
        }

        @Override
        public void onError(Throwable error) {
            if (done.compareAndSet(false, true)) {
                disposeStopping();
                actual.onError(error);
            }
        }

        @Override
        public void onComplete() {
            if (done.compareAndSet(false, true)) {
                disposeStopping();
                actual.onComplete();
            }
        }

        @Override
        public void request(long n) {
            if (!done.get()) {
                upstream.request(n);
            }
        }

        @Override
        public void cancel() {
            disposeStopping();
            upstream.cancel();
        }

        private void disposeStopping() {
            Disposable subscribed = stopping;
            if (subscribed != null) {
                subscribed.dispose();
            }
        }
    }
}
