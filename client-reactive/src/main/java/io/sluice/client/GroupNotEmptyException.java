package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/**
 * The operation needs a consumer group with no active member (resetting or deleting its offsets, or an admin
 * commit without a member id), and the group has some.
 */
public class GroupNotEmptyException extends SluiceException {
    public GroupNotEmptyException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
