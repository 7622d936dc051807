package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** No consumer group of that name: it has neither an active member nor a committed offset. */
public class GroupNotFoundException extends SluiceException {
    public GroupNotFoundException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
