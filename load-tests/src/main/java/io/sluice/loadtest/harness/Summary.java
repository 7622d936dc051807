package io.sluice.loadtest.harness;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one run, as written to summary.json and the HTML report. MB = 2^20 bytes of record
 * payload (records x record size), Kafka's perf tools' convention. Latencies in milliseconds.
 *
 * @param parameters the scenario's settings, in display order
 * @param durationSeconds measured time: from the start to the last acknowledgement or consumed record
 */
public record Summary(String scenario, String workload, String topic, Map<String, String> parameters,
                      String startedAt, String loadAverage, double durationSeconds,
                      long recordsSent, long recordsAcked, long recordsFailed, long recordsConsumed,
                      Rate produced, Rate consumed, Latency ack, Latency endToEnd, Map<String, Long> errors,
                      Broker broker, double clientCpuSeconds, List<TimelinePoint> timeline) {

    /** Records/s and MB/s; zero when the workload does not produce (or consume). */
    public record Rate(double recordsPerSecond, double mbPerSecond) {
    }

    /** Broker process figures; -1 when unknown (no pid). */
    public record Broker(long pid, double cpuSeconds, double averageCores, long maxRssBytes) {
    }

    public record Percentile(double percentile, double ms) {
    }

    public record Latency(long count, double minMs, double meanMs, double maxMs, List<Percentile> percentiles) {
        static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.9, 99.99, 100};

        static Latency of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return new Latency(0, 0, 0, 0, List.of());
            }
            List<Percentile> percentiles = new java.util.ArrayList<>();
            for (double p : PERCENTILES) {
                percentiles.add(new Percentile(p, h.getValueAtPercentile(p) / 1000.0));
            }
            return new Latency(h.getTotalCount(), h.getMinValue() / 1000.0, h.getMean() / 1000.0,
                    h.getMaxValue() / 1000.0, List.copyOf(percentiles));
        }

        /** The value at a percentile listed in {@link #PERCENTILES}; NaN if none recorded. */
        public double at(double percentile) {
            return percentiles.stream().filter(p -> p.percentile() == percentile).mapToDouble(Percentile::ms)
                    .findFirst().orElse(Double.NaN);
        }
    }
}
