package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** The broker has no queue of that name. */
public class QueueNotFoundException extends SluiceException {
    public QueueNotFoundException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
