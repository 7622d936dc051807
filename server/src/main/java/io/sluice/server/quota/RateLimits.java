package io.sluice.server.quota;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The byte-rate quotas one flow of bytes is subject to (its topic's, its client's), paced as one: what is
 * available is the least of them, a wait lasts until all of them allow, and bytes are taken from each.
 */
public record RateLimits(List<Limit> limits) {
    /** One quota: its bucket and, for messages, what it is (e.g. "producer.byte.rate=1048576 of topic 'a'"). */
    public record Limit(TokenBucket bucket, String what) {
    }

    public static final RateLimits NONE = new RateLimits(List.of());

    public RateLimits {
        limits = List.copyOf(limits);
    }

    public boolean none() {
        return limits.isEmpty();
    }

    /** Bytes every bucket holds now (negative while one is in debt); Long.MAX_VALUE without quota. */
    public long available() {
        long least = Long.MAX_VALUE;
        for (Limit limit : limits) {
            least = Math.min(least, limit.bucket().level());
        }
        return least;
    }

    /** The smallest capacity (burst) among the buckets; Long.MAX_VALUE without quota. */
    public long capacity() {
        long least = Long.MAX_VALUE;
        for (Limit limit : limits) {
            least = Math.min(least, limit.bucket().capacity());
        }
        return least;
    }

    /** How long until every bucket holds {@code tokens}; 0 if they do now. */
    public long nanosUntil(long tokens) {
        long longest = 0;
        for (Limit limit : limits) {
            longest = Math.max(longest, limit.bucket().nanosUntil(tokens));
        }
        return longest;
    }

    public void take(long bytes) {
        for (Limit limit : limits) {
            limit.bucket().take(bytes);
        }
    }

    /** The quotas, for a human: "producer.byte.rate=1048576 of topic 'a' and ...". */
    public String describe() {
        return limits.stream().map(Limit::what).collect(Collectors.joining(" and "));
    }
}
