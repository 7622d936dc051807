package io.sluice.examples.common;

import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * Stands in for real work that takes {@code 1/perSecond} s per item, without blocking a thread: a worker
 * that waits for {@link #next()} before each item handles {@code perSecond} items per second. Not
 * thread-safe: one per sequential worker.
 */
public final class Pace {
    /** Idle for longer than this, a worker does not catch up on the time it had nothing to do. */
    private static final long IDLE_NANOS = Duration.ofMillis(50).toNanos();

    private final long periodNanos;
    private long due = System.nanoTime();

    public Pace(int perSecond) {
        this.periodNanos = 1_000_000_000L / perSecond;
    }

    /** Completes when the next item is done: one period after the previous one (timer delays do not add up). */
    public Mono<Long> next() {
        long now = System.nanoTime();
        if (now - due > IDLE_NANOS) {
            due = now;
        }
        due += periodNanos;
        return Mono.delay(Duration.ofNanos(Math.max(0, due - now)));
    }
}
