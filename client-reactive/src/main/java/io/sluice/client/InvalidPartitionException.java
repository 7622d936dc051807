package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** The partition does not exist in the topic, or the partition count is out of range. */
public class InvalidPartitionException extends SluiceException {
    public InvalidPartitionException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
