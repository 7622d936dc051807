package io.sluice.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.proto.v1.ErrorCode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** What producers wrote, per topic: batches, records and bytes appended, and how long appends took to be acknowledged. */
public final class ProduceMeters {
    private final MeterRegistry meters;
    private final Map<String, TopicMeters> byTopic = new ConcurrentHashMap<>();

    public ProduceMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    private record TopicMeters(Counter batches, Counter records, Counter bytes, Timer latency) {
    }

    /** A batch of {@code records} records and {@code bytes} payload bytes, appended {@code nanos} after it was handed to the log. */
    public void appended(String topic, long records, long bytes, long nanos) {
        TopicMeters m = byTopic.computeIfAbsent(topic, this::create);
        m.batches.increment();
        m.records.increment(records);
        m.bytes.increment(bytes);
        m.latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A batch refused or failed, by error code (not by topic: a bad topic name must not make a series). */
    public void failed(ErrorCode code) {
        Counter.builder("sluice.produce.errors").tag("code", code.name())
                .description("Produce batches that failed, by error code").register(meters).increment();
    }

    private TopicMeters create(String topic) {
        return new TopicMeters(
                Counter.builder("sluice.produce.batches").tag("topic", topic)
                        .description("Batches appended").register(meters),
                Counter.builder("sluice.produce.records").tag("topic", topic)
                        .description("Records appended").register(meters),
                Counter.builder("sluice.produce.bytes").tag("topic", topic).baseUnit("bytes")
                        .description("Record payload bytes appended, as sent (compressed if the producer compressed)")
                        .register(meters),
                Timer.builder("sluice.produce.latency").tag("topic", topic)
                        .description("From handing a batch to the log to its acknowledgement: group commit wait, "
                                + "RocksDB write and, with durability=fsync, the sync")
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofNanos(50_000))
                        .maximumExpectedValue(Duration.ofSeconds(10))
                        .register(meters));
    }
}
