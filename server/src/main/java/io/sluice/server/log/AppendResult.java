package io.sluice.server.log;

/** Where an appended batch landed: its records have offsets {@code baseOffset .. baseOffset + recordCount - 1}. */
public record AppendResult(long baseOffset, int recordCount, long appendTimeMs) {
}
