package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** The topic to create exists already. */
public class TopicAlreadyExistsException extends SluiceException {
    public TopicAlreadyExistsException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
