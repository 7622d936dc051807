package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** The topic name breaks the naming rules. */
public class InvalidTopicException extends SluiceException {
    public InvalidTopicException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
