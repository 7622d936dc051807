package io.sluice.loadtest.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How load is injected. Open model: records are due on a schedule whatever the broker does, and their
 * latency is measured from that intended time (so a stalled broker cannot hide its stall: coordinated
 * omission is corrected). Closed model: N producers (or consumers) each keep a window of batches in
 * flight and send the next as soon as one is acknowledged.
 */
public sealed interface Injection {

    Duration duration();

    String describe();

    /** Open model: a sequence of rate segments, each linear from one rate (records/s) to another. */
    record Open(List<RateSegment> segments) implements Injection {
        public Open {
            segments = List.copyOf(segments);
            if (segments.isEmpty()) {
                throw new IllegalArgumentException("an open profile needs at least one segment");
            }
        }

        @Override
        public Duration duration() {
            return Duration.ofNanos(segments.stream().mapToLong(RateSegment::nanos).sum());
        }

        @Override
        public String describe() {
            StringBuilder out = new StringBuilder("open");
            segments.forEach(s -> out.append(s.fromRate() == s.toRate()
                    ? String.format(" %.0f/s for %.1fs", s.fromRate(), s.nanos() / 1e9)
                    : String.format(" %.0f->%.0f/s over %.1fs", s.fromRate(), s.toRate(), s.nanos() / 1e9)));
            return out.toString();
        }

        /** Records due by {@code nanos} after the start (fractional). */
        public double countAt(long nanos) {
            double count = 0;
            long left = nanos;
            for (RateSegment segment : segments) {
                if (left <= segment.nanos()) {
                    return count + segment.countAt(left);
                }
                count += segment.total();
                left -= segment.nanos();
            }
            return count;
        }

        /** Intended send time of record {@code index} (0-based), in nanos after the start; MAX_VALUE if never. */
        public long timeOf(long index) {
            double target = index + 1; // record i is due once i+1 records are due
            long offset = 0;
            for (RateSegment segment : segments) {
                if (target <= segment.total()) {
                    return offset + segment.timeOf(target);
                }
                target -= segment.total();
                offset += segment.nanos();
            }
            return Long.MAX_VALUE;
        }

        /** Total records the profile schedules. */
        public long totalRecords() {
            return (long) Math.floor(countAt(duration().toNanos()));
        }
    }

    /** A segment where the rate goes linearly from {@code fromRate} to {@code toRate} records/s. */
    record RateSegment(double fromRate, double toRate, long nanos) {
        public RateSegment {
            if (fromRate < 0 || toRate < 0 || nanos <= 0) {
                throw new IllegalArgumentException("rates must be >= 0 and the duration > 0");
            }
        }

        double total() {
            return countAt(nanos);
        }

        double countAt(long t) {
            double s = t / 1e9;
            double seconds = nanos / 1e9;
            return fromRate * s + (toRate - fromRate) * s * s / (2 * seconds);
        }

        /** Inverse of countAt: the time by which {@code count} records are due (count <= total()). */
        long timeOf(double count) {
            double seconds = nanos / 1e9;
            double a = (toRate - fromRate) / (2 * seconds);
            double s;
            if (Math.abs(a) < 1e-12) {
                s = count / fromRate;
            } else {
                // a s^2 + from s - count = 0, the root in [0, seconds]
                s = (-fromRate + Math.sqrt(fromRate * fromRate + 4 * a * count)) / (2 * a);
            }
            return Math.min(nanos, (long) Math.ceil(s * 1e9));
        }
    }

    /** Closed model: {@code concurrency} producers or consumers, each as fast as its window allows. */
    record Closed(int concurrency, Duration duration) implements Injection {
        public Closed {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be >= 1");
            }
        }

        @Override
        public String describe() {
            return "closed " + concurrency + " for up to " + duration.toSeconds() + "s";
        }
    }

    static Open constantRate(double perSecond, Duration duration) {
        return new Open(List.of(new RateSegment(perSecond, perSecond, duration.toNanos())));
    }

    static Open ramp(double fromPerSecond, double toPerSecond, Duration duration) {
        return new Open(List.of(new RateSegment(fromPerSecond, toPerSecond, duration.toNanos())));
    }

    /** {@code base} records/s, with {@code peak} records/s from {@code spikeAt} for {@code spikeLength}. */
    static Open spike(double base, double peak, Duration duration, Duration spikeAt, Duration spikeLength) {
        List<RateSegment> segments = new ArrayList<>();
        long before = spikeAt.toNanos();
        long during = Math.min(spikeLength.toNanos(), duration.toNanos() - before);
        long after = duration.toNanos() - before - during;
        if (before > 0) {
            segments.add(new RateSegment(base, base, before));
        }
        if (during > 0) {
            segments.add(new RateSegment(peak, peak, during));
        }
        if (after > 0) {
            segments.add(new RateSegment(base, base, after));
        }
        return new Open(segments);
    }

    static Closed closed(int concurrency, Duration duration) {
        return new Closed(concurrency, duration);
    }
}
