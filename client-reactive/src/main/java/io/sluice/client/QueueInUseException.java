package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** The operation needs a queue without subscribed workers, and the queue has some. */
public class QueueInUseException extends SluiceException {
    public QueueInUseException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
