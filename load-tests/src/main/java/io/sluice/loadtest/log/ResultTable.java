package io.sluice.loadtest.log;

import org.HdrHistogram.Histogram;

/** Formats results as Markdown table rows, ready to paste into docs/benchmarks.md. */
final class ResultTable {
    private static final double MIB = 1 << 20;

    private ResultTable() {
    }

    static String appendHeader() {
        return "| scenario | records | s | records/s | payload MB/s | log MB/s | CPU ms/MiB | ack p50 / p99 / max ms |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";
    }

    static String appendRow(Scenario scenario, AppendDriver.AppendStats stats) {
        Throughput t = stats.throughput();
        Histogram latency = stats.latencyMicros();
        return String.format("| append %s | %,d | %.1f | %,.0f | %.1f | %.1f | %.2f | %.1f / %.1f / %.1f |",
                scenario, t.records(), t.seconds(), t.recordsPerSecond(), payloadMibPerSecond(t), t.mibPerSecond(),
                t.cpuMillisPerMib(), millis(latency.getValueAtPercentile(50)),
                millis(latency.getValueAtPercentile(99)), millis(latency.getMaxValue()));
    }

    static String readHeader() {
        return "| scenario | records | s | records/s | payload MB/s | log MB/s | CPU ms/MiB | complete |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |";
    }

    static String readRow(Scenario scenario, ReadDriver.Result result) {
        Throughput t = result.throughput();
        return String.format("| read %s | %,d | %.1f | %,.0f | %.1f | %.1f | %.2f | %s |",
                scenario, t.records(), t.seconds(), t.recordsPerSecond(), payloadMibPerSecond(t), t.mibPerSecond(),
                t.cpuMillisPerMib(), result.complete() ? "yes" : "no (time limit)");
    }

    /** The records' values alone, the figure Kafka's perf tools report as MB/s. */
    private static double payloadMibPerSecond(Throughput t) {
        return t.records() * (double) SampleBatch.VALUE_BYTES / MIB / t.seconds();
    }

    private static double millis(long micros) {
        return micros / 1000.0;
    }
}
