package io.sluice.client;

import java.util.Objects;

/** Thrown (or signalled) by a {@link ReactiveQueue#process} processor: the record is poison; dead-letter it now. */
public class RejectRecordException extends RuntimeException {
    public RejectRecordException(String reason) {
        super(Objects.requireNonNull(reason, "reason"));
    }

    public String reason() {
        return getMessage();
    }
}
