package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** The broker refused work because one of its limits was reached. */
public class LimitExceededException extends SluiceException {
    public LimitExceededException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
