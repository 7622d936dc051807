package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/**
 * A queue record's outcome came too late or twice: this worker no longer holds the record (its lock lapsed and
 * it went back to the queue or to another worker, or it was settled already). Nothing was changed.
 */
public class LockLostException extends SluiceException {
    public LockLostException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
