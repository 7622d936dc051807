package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** An idempotent batch's sequence left a gap or was too old: the broker refused it; retrying it as is cannot help. */
public class OutOfOrderSequenceException extends SluiceException {
    public OutOfOrderSequenceException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
