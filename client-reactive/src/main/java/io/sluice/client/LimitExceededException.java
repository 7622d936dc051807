package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;
import java.time.Duration;

/**
 * The broker refused work because one of its limits was reached. For a produced batch (not appended, then):
 * the topic's backlog limit with {@code backlog.policy=reject}, or the producer's credit. Back off for
 * {@link #retryAfter()}, as the broker suggests, before sending it again.
 */
public class LimitExceededException extends SluiceException {
    private final Duration retryAfter;

    public LimitExceededException(ErrorCode code, String message, Throwable cause) {
        this(code, message, Duration.ZERO, cause);
    }

    public LimitExceededException(ErrorCode code, String message, Duration retryAfter, Throwable cause) {
        super(code, message, cause);
        this.retryAfter = retryAfter.isNegative() ? Duration.ZERO : retryAfter;
    }

    /**
     * How long to wait before trying again, as the broker suggested (its {@code retry_after_ms}, e.g. 1 s
     * for a backlog at its limit); {@link Duration#ZERO} when it gave no estimate, as for credit the client
     * ran out of itself.
     */
    public Duration retryAfter() {
        return retryAfter;
    }
}
