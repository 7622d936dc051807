package io.sluice.loadtest.harness.report;

import io.sluice.loadtest.harness.Summary;
import java.util.Locale;

/** The end-of-run summary printed on the console. */
public final class ConsoleReport {
    private ConsoleReport() {
    }

    public static String render(Summary s) {
        StringBuilder out = new StringBuilder();
        line(out, "==== %s (%s) on %s ====", s.scenario(), s.workload(), s.topic());
        line(out, "duration %.2f s   records sent %,d  acked %,d  failed %,d  consumed %,d",
                s.durationSeconds(), s.recordsSent(), s.recordsAcked(), s.recordsFailed(), s.recordsConsumed());
        if (s.produced().recordsPerSecond() > 0) {
            line(out, "produced  %,12.0f records/s  %8.2f MB/s", s.produced().recordsPerSecond(), s.produced().mbPerSecond());
        }
        if (s.consumed().recordsPerSecond() > 0) {
            line(out, "consumed  %,12.0f records/s  %8.2f MB/s", s.consumed().recordsPerSecond(), s.consumed().mbPerSecond());
        }
        latency(out, "publish -> ack     ", s.ack());
        latency(out, "publish -> consumed", s.endToEnd());
        line(out, "errors %s", s.errors().isEmpty() ? "none" : s.errors().toString());
        if (s.broker().cpuSeconds() >= 0) {
            line(out, "broker pid %d: %.1f CPU-s (%.2f cores), max RSS %.0f MB; load generator %.1f CPU-s; loadavg %s",
                    s.broker().pid(), s.broker().cpuSeconds(), s.broker().averageCores(), s.broker().maxRssBytes() / 1048576.0,
                    s.clientCpuSeconds(), s.loadAverage());
        } else {
            line(out, "load generator %.1f CPU-s; loadavg %s", s.clientCpuSeconds(), s.loadAverage());
        }
        return out.toString();
    }

    private static void latency(StringBuilder out, String label, Summary.Latency l) {
        if (l.count() > 0) {
            line(out, "%s ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (mean %.3f, %,d records)",
                    label, l.at(50), l.at(90), l.at(99), l.at(99.9), l.maxMs(), l.meanMs(), l.count());
        }
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
