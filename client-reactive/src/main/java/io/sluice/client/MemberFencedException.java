package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/**
 * A consumer group member may no longer act for a partition: it left, its session timed out, a newer member
 * with the same instance id replaced it, or the partition was revoked from it. {@code receive()} fails with it
 * when the broker ends the member's stream so; {@code commit()} when the broker refused the commit.
 */
public class MemberFencedException extends SluiceException {
    public MemberFencedException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
