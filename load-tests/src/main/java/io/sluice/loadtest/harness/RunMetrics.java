package io.sluice.loadtest.harness;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * What the drivers record while a scenario runs: thread-safe, written from gRPC callbacks, read every
 * second by the {@link Sampler}. Latencies are kept in microseconds.
 */
final class RunMetrics {
    static final long MAX_LATENCY_MICROS = TimeUnit.HOURS.toMicros(1);

    final Recorder ackLatency = new Recorder(MAX_LATENCY_MICROS, 3);
    final Recorder endToEndLatency = new Recorder(MAX_LATENCY_MICROS, 3);
    final LongAdder sentRecords = new LongAdder();
    final LongAdder ackedRecords = new LongAdder();
    final LongAdder failedRecords = new LongAdder();
    final LongAdder consumedRecords = new LongAdder();
    final LongAdder consumedBytes = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong lastAckNanos = new AtomicLong();
    private final AtomicLong lastConsumeNanos = new AtomicLong();

    void acked(InFlightBatch batch, long nowNanos) {
        long[] intended = batch.intendedNanos();
        long first = intended[0];
        if (intended[intended.length - 1] == first) {
            ackLatency.recordValueWithCount(micros(nowNanos - first), intended.length);
        } else {
            for (long t : intended) {
                ackLatency.recordValue(micros(nowNanos - t));
            }
        }
        ackedRecords.add(batch.count());
        lastAckNanos.accumulateAndGet(nowNanos, Math::max);
    }

    /** Acks none: nothing comes back, so a sent record counts as done. */
    void sentUnacknowledged(InFlightBatch batch, long nowNanos) {
        ackedRecords.add(batch.count());
        lastAckNanos.accumulateAndGet(nowNanos, Math::max);
    }

    void failed(String status, long records) {
        errors.computeIfAbsent(status, k -> new LongAdder()).increment();
        failedRecords.add(records);
    }

    void consumed(long records, long payloadBytes, long nowNanos) {
        consumedRecords.add(records);
        consumedBytes.add(payloadBytes);
        lastConsumeNanos.accumulateAndGet(nowNanos, Math::max);
    }

    void endToEnd(long latencyNanos) {
        endToEndLatency.recordValue(micros(latencyNanos));
    }

    long lastAckNanos() {
        return lastAckNanos.get();
    }

    long lastConsumeNanos() {
        return lastConsumeNanos.get();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> errors() {
        Map<String, Long> out = new TreeMap<>();
        errors.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private static long micros(long nanos) {
        return Math.min(MAX_LATENCY_MICROS, Math.max(0, nanos / 1000));
    }
}
