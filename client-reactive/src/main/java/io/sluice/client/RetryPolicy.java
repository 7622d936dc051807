package io.sluice.client;

import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * How the client rides out retriable failures (UNAVAILABLE, a broker restart): exponential backoff from
 * {@code minBackoff} to {@code maxBackoff}, giving up once failures have lasted {@code deadline} in a row.
 */
public record RetryPolicy(Duration minBackoff, Duration maxBackoff, Duration deadline) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(30));
    /** Fails at the first error. */
    public static final RetryPolicy NONE = new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(1), Duration.ZERO);

    public RetryPolicy {
        Objects.requireNonNull(minBackoff, "minBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(deadline, "deadline");
        if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0 || deadline.isNegative()) {
            throw new IllegalArgumentException("need 0 < minBackoff <= maxBackoff and deadline >= 0: " + this);
        }
    }

    /** The backoff before retry number {@code attempt} (0-based), with up to 25 % jitter. */
    Duration backoff(long attempt) {
        long base = minBackoff.toNanos() << Math.min(attempt, 20);
        long capped = Math.min(base <= 0 ? Long.MAX_VALUE : base, maxBackoff.toNanos());
        long jitter = (long) (capped * 0.25 * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
        return Duration.ofNanos(capped - jitter);
    }

    /** Whether failures that began {@code failingForNanos} ago may still be retried. */
    boolean withinDeadline(long failingForNanos) {
        return failingForNanos < deadline.toNanos();
    }

    /**
     * A Reactor retry spec: maps failures to typed exceptions, retries the retriable ones with backoff
     * and fails with the last one once the deadline has passed.
     */
    Retry toRetry() {
        return Retry.from(signals -> Flux.defer(() -> {
            long[] firstFailure = {0};
            return signals.concatMap(signal -> {
                Throwable error = Errors.map(signal.failure());
                if (!Errors.retriable(error)) {
                    return Mono.error(error);
                }
                long now = System.nanoTime();
                if (signal.totalRetriesInARow() == 0) {
                    firstFailure[0] = now;
                }
                if (!withinDeadline(now - firstFailure[0])) {
                    return Mono.error(error);
                }
                return Mono.delay(backoff(signal.totalRetriesInARow())).thenReturn(signal.totalRetries());
            });
        }));
    }
}
