package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;

/** The broker could not be reached, or is shutting down, until the client's retry deadline ran out. */
public class BrokerUnavailableException extends SluiceException {
    public BrokerUnavailableException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }

    @Override
    public boolean retriable() {
        return true;
    }
}
