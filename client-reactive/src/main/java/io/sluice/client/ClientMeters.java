package io.sluice.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.proto.v1.ThrottleReason;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The client's meters ({@code sluice.client.*}), in the registry given to the builder; without one, every
 * method does nothing. Per-topic meters are looked up once per batch, never per record.
 */
final class ClientMeters {
    static final ClientMeters NONE = new ClientMeters(null);

    private final MeterRegistry registry;
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    private final Map<String, Received> received = new ConcurrentHashMap<>();
    private final Timer creditWait;

    private ClientMeters(MeterRegistry registry) {
        this.registry = registry;
        this.creditWait = registry == null ? null : Timer.builder("sluice.client.producer.credit.wait")
                .description("Time batches waited in the producer for broker credit before being sent")
                .register(registry);
    }

    static ClientMeters of(MeterRegistry registry) {
        return registry == null ? NONE : new ClientMeters(registry);
    }

    private record Sent(Counter batches, Counter records, Counter bytes, Timer latency) {
    }

    private record Received(Counter batches, Counter records, Counter bytes, DistributionSummary lag) {
    }

    /** A batch acknowledged (or sent, with acks=none) {@code nanos} after the producer handed it to its stream. */
    void sent(String topic, int records, long bytes, long nanos) {
        if (registry == null) {
            return;
        }
        Sent m = sent.computeIfAbsent(topic, t -> new Sent(
                Counter.builder("sluice.client.producer.batches.sent").tag("topic", t)
                        .description("Batches the broker acknowledged").register(registry),
                Counter.builder("sluice.client.producer.records.sent").tag("topic", t)
                        .description("Records the broker acknowledged").register(registry),
                Counter.builder("sluice.client.producer.bytes.sent").tag("topic", t).baseUnit("bytes")
                        .description("Record payload bytes the broker acknowledged, as sent (compressed if so)")
                        .register(registry),
                Timer.builder("sluice.client.producer.send.latency").tag("topic", t)
                        .description("From handing a batch to the stream to its acknowledgement: credit wait, "
                                + "retries and the broker's append")
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofNanos(100_000))
                        .maximumExpectedValue(Duration.ofSeconds(30))
                        .register(registry)));
        m.batches.increment();
        m.records.increment(records);
        m.bytes.increment(bytes);
        m.latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A batch that failed for good (after the retries the policy allows). */
    void sendFailed(Throwable error) {
        if (registry == null) {
            return;
        }
        Counter.builder("sluice.client.producer.errors").tag("exception", error.getClass().getSimpleName())
                .description("Batches that failed for good, by exception").register(registry).increment();
    }

    /** A credit message that granted less than the window, or told the producer to stop. */
    void throttled(ThrottleReason reason) {
        if (registry == null || reason == ThrottleReason.THROTTLE_REASON_NONE) {
            return;
        }
        Counter.builder("sluice.client.producer.throttled").tag("reason", reason.name())
                .description("Credit messages from the broker that granted less than the window, by reason")
                .register(registry).increment();
    }

    void creditWait(long nanos) {
        if (creditWait != null) {
            creditWait.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A batch received; {@code lag} is how many records of the partition came after it when it was read. */
    void received(String topic, int records, long bytes, long lag) {
        if (registry == null) {
            return;
        }
        Received m = received.computeIfAbsent(topic, t -> new Received(
                Counter.builder("sluice.client.consumer.batches.received").tag("topic", t)
                        .description("Batches received").register(registry),
                Counter.builder("sluice.client.consumer.records.received").tag("topic", t)
                        .description("Records received").register(registry),
                Counter.builder("sluice.client.consumer.bytes.received").tag("topic", t).baseUnit("bytes")
                        .description("Record payload bytes received, as sent by the broker").register(registry),
                DistributionSummary.builder("sluice.client.consumer.lag").tag("topic", t)
                        .description("At each batch received: records of its partition after it (high watermark "
                                + "minus the batch's end)")
                        .register(registry)));
        m.batches.increment();
        m.records.increment(records);
        m.bytes.increment(bytes);
        m.lag.record(Math.max(0, lag));
    }
}
