package io.sluice.server.quota;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The broker's token buckets, one per quota holder (a topic or a client id, per direction). A holder whose
 * rate changes (a topic config altered) gets a new, full bucket.
 */
public final class QuotaBuckets {
    /** Which flow a bucket paces. */
    public enum Scope { PRODUCE_TOPIC, PRODUCE_CLIENT, CONSUME_TOPIC, CONSUME_CLIENT }

    private record Holder(Scope scope, String name) {
    }

    /**
     * What a full bucket holds, in time at its rate. Short, so a 5 s average stays within a few percent of the
     * rate even after an idle spell, and long enough to span a couple of credit rechecks.
     */
    public static final Duration BURST = Duration.ofMillis(200);

    private final Map<Holder, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    public QuotaBuckets(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** The holder's bucket at {@code rate} bytes/s, or null when rate is -1 (no quota). */
    public TokenBucket bucket(Scope scope, String name, long rate) {
        if (rate < 0) {
            return null;
        }
        Holder holder = new Holder(scope, name);
        TokenBucket bucket = buckets.get(holder);
        if (bucket != null && bucket.rate() == rate) {
            return bucket;
        }
        return buckets.compute(holder, (h, old) -> old != null && old.rate() == rate ? old
                : new TokenBucket(rate, BURST, nanoClock));
    }

    /** Buckets held (one per topic or client id with a quota, per direction). */
    public int size() {
        return buckets.size();
    }
}
