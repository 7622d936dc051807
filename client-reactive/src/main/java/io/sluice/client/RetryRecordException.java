package io.sluice.client;

import java.time.Duration;
import java.util.Objects;

/** Thrown (or signalled) by a {@link ReactiveQueue#process} processor: try the record again after {@code delay}. */
public class RetryRecordException extends RuntimeException {
    private final Duration delay;

    public RetryRecordException(Duration delay, String reason) {
        super(Objects.requireNonNull(reason, "reason"));
        this.delay = Objects.requireNonNull(delay, "delay");
    }

    public Duration delay() {
        return delay;
    }

    public String reason() {
        return getMessage();
    }
}
