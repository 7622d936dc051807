package io.sluice.loadtest.harness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Closes an interval every second: drains the latency recorders into the run's totals, adds a
 * {@link TimelinePoint} and prints a progress line (on stderr, or nowhere).
 */
final class Sampler {
    static final double MB = 1 << 20;

    private final RunMetrics metrics;
    private final long brokerPid;
    private final int recordSize;
    private final PrintStream progress; // null: quiet
    private final long startNanos;
    private final Histogram ackTotal = new Histogram(RunMetrics.MAX_LATENCY_MICROS, 3);
    private final Histogram e2eTotal = new Histogram(RunMetrics.MAX_LATENCY_MICROS, 3);
    private final List<TimelinePoint> timeline = new ArrayList<>();
    private final ProcStats.Sample brokerAtStart;
    private Histogram ackInterval;
    private Histogram e2eInterval;
    private long lastNanos;
    private long lastAcked;
    private long lastConsumed;
    private long lastConsumedBytes;
    private ProcStats.Sample lastBroker;
    private long maxBrokerRss = -1;

    Sampler(RunMetrics metrics, long brokerPid, int recordSize, PrintStream progress, long startNanos) {
        this.metrics = metrics;
        this.brokerPid = brokerPid;
        this.recordSize = recordSize;
        this.progress = progress;
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
        this.brokerAtStart = ProcStats.read(brokerPid);
        this.lastBroker = brokerAtStart;
    }

    /** Closes the current interval. Called by one thread at a time. */
    synchronized void sample() {
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
        ackInterval = metrics.ackLatency.getIntervalHistogram(ackInterval);
        e2eInterval = metrics.endToEndLatency.getIntervalHistogram(e2eInterval);
        ackTotal.add(ackInterval);
        e2eTotal.add(e2eInterval);
        long acked = metrics.ackedRecords.sum();
        long consumed = metrics.consumedRecords.sum();
        long consumedBytes = metrics.consumedBytes.sum();
        ProcStats.Sample broker = ProcStats.read(brokerPid);
        double brokerCores = broker.cpuSeconds() >= 0 && lastBroker.cpuSeconds() >= 0
                ? (broker.cpuSeconds() - lastBroker.cpuSeconds()) / seconds : -1;
        maxBrokerRss = Math.max(maxBrokerRss, broker.rssBytes());
        double producedRate = (acked - lastAcked) / seconds;
        TimelinePoint point = new TimelinePoint((now - startNanos) / 1e9,
                producedRate, producedRate * recordSize / MB,
                (consumed - lastConsumed) / seconds, (consumedBytes - lastConsumedBytes) / MB / seconds,
                percentileMs(ackInterval, 50), percentileMs(ackInterval, 99), maxMs(ackInterval),
                percentileMs(e2eInterval, 50), percentileMs(e2eInterval, 99), maxMs(e2eInterval),
                metrics.errorCount(), brokerCores, broker.rssBytes());
        timeline.add(point);
        lastNanos = now;
        lastAcked = acked;
        lastConsumed = consumed;
        lastConsumedBytes = consumedBytes;
        lastBroker = broker;
        if (progress != null) {
            progress.println(progressLine(point));
        }
    }

    private static String progressLine(TimelinePoint p) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%6.1fs]", p.elapsedSeconds()));
        if (p.producedPerSecond() > 0 || !Double.isNaN(p.ackP50Ms())) {
            line.append(String.format(Locale.ROOT, " produced %,10.0f rec/s %7.1f MB/s  ack p50 %s p99 %s",
                    p.producedPerSecond(), p.producedMbPerSecond(), ms(p.ackP50Ms()), ms(p.ackP99Ms())));
        }
        if (p.consumedPerSecond() > 0 || !Double.isNaN(p.e2eP50Ms())) {
            line.append(String.format(Locale.ROOT, " | consumed %,10.0f rec/s %7.1f MB/s",
                    p.consumedPerSecond(), p.consumedMbPerSecond()));
            if (!Double.isNaN(p.e2eP50Ms())) {
                line.append(String.format(Locale.ROOT, "  e2e p50 %s p99 %s", ms(p.e2eP50Ms()), ms(p.e2eP99Ms())));
            }
        }
        line.append("  errors ").append(p.errors());
        if (p.brokerCpuCores() >= 0) {
            line.append(String.format(Locale.ROOT, "  broker %.2f cores %.0f MB", p.brokerCpuCores(), p.brokerRssBytes() / MB));
        }
        return line.toString();
    }

    private static String ms(double value) {
        return Double.isNaN(value) ? "   -  " : String.format(Locale.ROOT, "%.2fms", value);
    }

    static double percentileMs(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    static double maxMs(Histogram h) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0;
    }

    Histogram ackTotal() {
        return ackTotal;
    }

    Histogram endToEndTotal() {
        return e2eTotal;
    }

    List<TimelinePoint> timeline() {
        return List.copyOf(timeline);
    }

    /** Broker CPU-seconds since this sampler was created; -1 if unknown. */
    double brokerCpuSeconds() {
        return brokerAtStart.cpuSeconds() >= 0 && lastBroker.cpuSeconds() >= 0
                ? lastBroker.cpuSeconds() - brokerAtStart.cpuSeconds() : -1;
    }

    long maxBrokerRssBytes() {
        return maxBrokerRss;
    }
}
