package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** A start offset lies beyond the end of a partition. */
public class OffsetOutOfRangeException extends SluiceException {
    public OffsetOutOfRangeException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
