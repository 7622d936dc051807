package io.sluice.server.error;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sluice.proto.v1.ErrorCode;

/** A failure the client caused or must know about, with its precise code and a message for a human. */
public final class SluiceException extends RuntimeException {
    private final ErrorCode code;
    private final long retryAfterMs;

    public SluiceException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /** A refusal the client may retry after {@code retryAfterMs} (e.g. LIMIT_EXCEEDED). */
    public SluiceException(ErrorCode code, String message, long retryAfterMs) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfterMs = retryAfterMs;
    }

    public SluiceException(ErrorCode code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
        this.retryAfterMs = 0;
    }

    public ErrorCode code() {
        return code;
    }

    /** How long the client should wait before retrying, in ms; 0 if there is no hint. */
    public long retryAfterMs() {
        return retryAfterMs;
    }

    /** The gRPC status for this error; the description names the Sluice error code too. */
    public StatusRuntimeException toStatus() {
        return statusOf(code).withDescription(code.name() + ": " + getMessage()).asRuntimeException();
    }

    /** The one gRPC status each error code maps to (as documented in errors.proto). */
    public static Status statusOf(ErrorCode code) {
        return switch (code) {
            case ERROR_CODE_NONE -> Status.OK;
            case UNKNOWN_TOPIC -> Status.NOT_FOUND;
            case OFFSET_OUT_OF_RANGE -> Status.OUT_OF_RANGE;
            case TOPIC_ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case BROKER_UNAVAILABLE -> Status.UNAVAILABLE;
            case LIMIT_EXCEEDED -> Status.RESOURCE_EXHAUSTED;
            case INTERNAL_ERROR, UNRECOGNIZED -> Status.INTERNAL;
            case OUT_OF_ORDER_SEQUENCE, MEMBER_FENCED, GROUP_NOT_EMPTY -> Status.FAILED_PRECONDITION;
            case UNKNOWN_GROUP -> Status.NOT_FOUND;
            case UNKNOWN_QUEUE -> Status.NOT_FOUND;
            case LOCK_LOST, QUEUE_IN_USE -> Status.FAILED_PRECONDITION;
            case INVALID_TOPIC_NAME, INVALID_PARTITION, INVALID_PARTITION_COUNT, RECORD_TOO_LARGE, INVALID_BATCH,
                    INVALID_OFFSET, INVALID_CREDIT, PROTOCOL_VIOLATION, INVALID_CONFIG, INVALID_REQUEST ->
                    Status.INVALID_ARGUMENT;
        };
    }

    /** Any throwable as a SluiceException: unknown faults become INTERNAL_ERROR. */
    public static SluiceException from(Throwable t) {
        if (t instanceof SluiceException e) {
            return e;
        }
        if (t instanceof io.sluice.server.config.ConfigException e) {
            return new SluiceException(ErrorCode.INVALID_CONFIG, e.getMessage());
        }
        return new SluiceException(ErrorCode.INTERNAL_ERROR, "internal broker error: " + t, t);
    }
}
