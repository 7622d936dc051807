package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** An unknown config key, or a value of the wrong type or out of range. */
public class InvalidConfigException extends SluiceException {
    public InvalidConfigException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
