package io.sluice.loadtest.harness;

/**
 * One second of a run. Rates are for the interval; latencies (ms) are percentiles of the interval's
 * records, NaN when there were none. Broker figures are -1 when there is no broker pid.
 */
public record TimelinePoint(double elapsedSeconds, double producedPerSecond, double producedMbPerSecond,
                            double consumedPerSecond, double consumedMbPerSecond,
                            double ackP50Ms, double ackP99Ms, double ackMaxMs,
                            double e2eP50Ms, double e2eP99Ms, double e2eMaxMs,
                            long errors, double brokerCpuCores, long brokerRssBytes) {
}
