package io.sluice.loadtest.log;

/** Records and bytes moved in a measured interval, with the process CPU spent meanwhile. */
record Throughput(long records, long bytes, long nanos, long cpuNanos) {
    private static final double MIB = 1 << 20;

    double recordsPerSecond() {
        return records / seconds();
    }

    double mibPerSecond() {
        return bytes / MIB / seconds();
    }

    /** Process CPU per MiB moved, in core-milliseconds: on 2 cores the cost matters as much as the rate. */
    double cpuMillisPerMib() {
        return bytes == 0 ? 0 : cpuNanos / 1e6 / (bytes / MIB);
    }

    double seconds() {
        return nanos / 1e9;
    }
}
