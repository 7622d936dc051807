package io.sluice.server.quota;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A byte-rate token bucket: refills at {@code rate} bytes/s up to {@code capacity} (the burst). Taking never
 * fails: the level may go below zero (debt), and whoever paces on it waits until the debt is repaid. So over any
 * interval at most rate x interval + capacity + one charge goes through, whatever the sizes charged.
 * Lock-free; never blocks.
 */
public final class TokenBucket {
    private record State(double tokens, long atNanos) {
    }

    private final long rate;
    private final double capacity;
    private final LongSupplier nanoClock;
    private final AtomicReference<State> state;

    /**
     * @param rate      bytes per second, at least 1
     * @param burst     how much rate the bucket holds when full (its capacity is rate x burst, at least 1 byte)
     * @param nanoClock monotonic nanoseconds (System::nanoTime outside tests); the bucket starts full
     */
    public TokenBucket(long rate, Duration burst, LongSupplier nanoClock) {
        if (rate < 1) {
            throw new IllegalArgumentException("a byte rate is at least 1 byte/s, got " + rate);
        }
        this.rate = rate;
        this.capacity = Math.max(1, rate * (burst.toNanos() / 1e9));
        this.nanoClock = nanoClock;
        this.state = new AtomicReference<>(new State(capacity, nanoClock.getAsLong()));
    }

    public long rate() {
        return rate;
    }

    public long capacity() {
        return (long) capacity;
    }

    private State refilled(State s, long now) {
        if (now <= s.atNanos()) {
            return s;
        }
        return new State(Math.min(capacity, s.tokens() + (now - s.atNanos()) * (rate / 1e9)), now);
    }

    /** Tokens now, rounded down; negative while in debt. */
    public long level() {
        return (long) Math.floor(refilled(state.get(), nanoClock.getAsLong()).tokens());
    }

    /** Takes {@code bytes}, going into debt if there are not that many. */
    public void take(long bytes) {
        while (true) {
            State s = state.get();
            State r = refilled(s, nanoClock.getAsLong());
            if (state.compareAndSet(s, new State(r.tokens() - bytes, r.atNanos()))) {
                return;
            }
        }
    }

    /** How long until the bucket holds {@code tokens} (capped at its capacity); 0 if it does now. */
    public long nanosUntil(long tokens) {
        double wanted = Math.min(capacity, tokens);
        double level = refilled(state.get(), nanoClock.getAsLong()).tokens();
        return level >= wanted ? 0 : (long) Math.ceil((wanted - level) * 1e9 / rate);
    }
}
