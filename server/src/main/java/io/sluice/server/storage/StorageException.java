package io.sluice.server.storage;

/** RocksDB failed: the storage cannot serve the request (the broker may be unhealthy). */
public final class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
