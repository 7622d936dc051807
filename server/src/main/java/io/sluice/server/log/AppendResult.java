package io.sluice.server.log;

/**
 * Where an appended batch landed: its records have offsets {@code baseOffset .. baseOffset + recordCount - 1}.
 *
 * @param duplicate an idempotent producer's retry of a batch appended before: these are its original offsets
 */
public record AppendResult(long baseOffset, int recordCount, long appendTimeMs, boolean duplicate) {

    public AppendResult(long baseOffset, int recordCount, long appendTimeMs) {
        this(baseOffset, recordCount, appendTimeMs, false);
    }
}
