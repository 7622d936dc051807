package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/**
 * A failure reported by the broker (or the client's own transport), carrying the broker's error code and
 * message. Subclasses name the cases an application is likely to handle.
 */
public class SluiceException extends RuntimeException {
    private final ErrorCode code;

    public SluiceException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public SluiceException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The broker's error code; INTERNAL_ERROR for failures it did not classify. */
    public ErrorCode code() {
        return code;
    }

    /** Whether trying again later may succeed. */
    public boolean retriable() {
        return false;
    }
}
