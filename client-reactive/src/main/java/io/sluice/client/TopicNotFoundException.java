package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** The topic does not exist. */
public class TopicNotFoundException extends SluiceException {
    public TopicNotFoundException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
