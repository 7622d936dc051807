package io.sluice.loadtest.log;

import java.lang.management.ManagementFactory;

/** CPU time of this JVM process, RocksDB's native threads included. */
final class ProcessCpu {
    private ProcessCpu() {
    }

    static long nanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
