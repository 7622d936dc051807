package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** A malformed request: a bad batch, offset or credit, or a protocol violation. Usually a client bug. */
public class InvalidRequestException extends SluiceException {
    public InvalidRequestException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
