package io.sluice.client;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceResponse;
import java.time.Duration;

/** Turns the broker's error codes and gRPC statuses into the client's typed exceptions. */
final class Errors {
    private Errors() {
    }

    /** The typed exception for a broker error code and message. */
    static SluiceException of(ErrorCode code, String message, Throwable cause) {
        return switch (code) {
            case UNKNOWN_TOPIC -> new TopicNotFoundException(code, message, cause);
            case TOPIC_ALREADY_EXISTS -> new TopicAlreadyExistsException(code, message, cause);
            case INVALID_TOPIC_NAME -> new InvalidTopicException(code, message, cause);
            case INVALID_PARTITION, INVALID_PARTITION_COUNT -> new InvalidPartitionException(code, message, cause);
            case RECORD_TOO_LARGE -> new RecordTooLargeException(code, message, cause);
            case INVALID_CONFIG -> new InvalidConfigException(code, message, cause);
            case OFFSET_OUT_OF_RANGE -> new OffsetOutOfRangeException(code, message, cause);
            case INVALID_BATCH, INVALID_OFFSET, INVALID_CREDIT, PROTOCOL_VIOLATION, INVALID_REQUEST ->
                    new InvalidRequestException(code, message, cause);
            case LIMIT_EXCEEDED -> new LimitExceededException(code, message, cause);
            case BROKER_UNAVAILABLE -> new BrokerUnavailableException(code, message, cause);
            case OUT_OF_ORDER_SEQUENCE -> new OutOfOrderSequenceException(code, message, cause);
            case MEMBER_FENCED -> new MemberFencedException(code, message, cause);
            case GROUP_NOT_EMPTY -> new GroupNotEmptyException(code, message, cause);
            case UNKNOWN_GROUP -> new GroupNotFoundException(code, message, cause);
            case UNKNOWN_QUEUE -> new QueueNotFoundException(code, message, cause);
            case LOCK_LOST -> new LockLostException(code, message, cause);
            case QUEUE_IN_USE -> new QueueInUseException(code, message, cause);
            case ERROR_CODE_NONE, INTERNAL_ERROR, UNRECOGNIZED -> new SluiceException(ErrorCode.INTERNAL_ERROR, message, cause);
        };
    }

    /** The typed exception for an error response to a batch, with the broker's retry-after hint. */
    static SluiceException of(ProduceResponse response) {
        if (response.getErrorCode() == ErrorCode.LIMIT_EXCEEDED) {
            return new LimitExceededException(ErrorCode.LIMIT_EXCEEDED, response.getErrorMessage(),
                    Duration.ofMillis(response.getRetryAfterMs()), null);
        }
        return of(response.getErrorCode(), response.getErrorMessage(), null);
    }

    /**
     * Any failure as a typed exception. The broker writes {@code "ERROR_CODE: message"} into the status
     * description; statuses without it come from gRPC itself (connection refused, message too large).
     */
    static Throwable map(Throwable t) {
        if (t instanceof SluiceException) {
            return t;
        }
        Status status;
        if (t instanceof StatusRuntimeException e) {
            status = e.getStatus();
        } else if (t instanceof StatusException e) {
            status = e.getStatus();
        } else {
            return t;
        }
        String description = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        int colon = description.indexOf(": ");
        if (colon > 0) {
            try {
                ErrorCode code = ErrorCode.valueOf(description.substring(0, colon));
                return of(code, description.substring(colon + 2), t);
            } catch (IllegalArgumentException notACode) {
                // A plain gRPC description: classify by status below.
            }
        }
        return switch (status.getCode()) {
            case UNAVAILABLE -> of(ErrorCode.BROKER_UNAVAILABLE, "broker unavailable: " + description, t);
            case NOT_FOUND -> of(ErrorCode.UNKNOWN_TOPIC, description, t);
            case ALREADY_EXISTS -> of(ErrorCode.TOPIC_ALREADY_EXISTS, description, t);
            case OUT_OF_RANGE -> of(ErrorCode.OFFSET_OUT_OF_RANGE, description, t);
            // gRPC's own message size limit: the batch was too large to even reach the broker.
            case RESOURCE_EXHAUSTED -> of(ErrorCode.RECORD_TOO_LARGE, description, t);
            case INVALID_ARGUMENT -> of(ErrorCode.INVALID_REQUEST, description, t);
            default -> of(ErrorCode.INTERNAL_ERROR, status.getCode() + ": " + description, t);
        };
    }

    static boolean retriable(Throwable t) {
        return t instanceof SluiceException e && e.retriable();
    }
}
