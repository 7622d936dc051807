package io.sluice.proto.codec;

/** A batch's bytes are not valid for its codec. */
public final class CorruptBatchException extends RuntimeException {
    public CorruptBatchException(String message) {
        super(message, null, false, false);
    }
}
