package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** A record exceeds the topic's max.message.bytes (or a batch the broker's message limit). */
public class RecordTooLargeException extends SluiceException {
    public RecordTooLargeException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
