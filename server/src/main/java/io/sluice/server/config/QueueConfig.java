package io.sluice.server.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A queue's effective settings (queue mode, see queue.proto): its explicit overrides, stored with the queue, laid
 * over the declared defaults.
 */
public final class QueueConfig {
    public static final String LOCK_TIMEOUT_MS = "lock.timeout.ms";
    public static final String MAX_DELIVERY_ATTEMPTS = "max.delivery.attempts";
    public static final String BACKOFF_INITIAL_MS = "backoff.initial.ms";
    public static final String BACKOFF_MULTIPLIER = "backoff.multiplier";
    public static final String BACKOFF_MAX_MS = "backoff.max.ms";
    public static final String ORDERING = "ordering";
    public static final String DLQ_TOPIC = "dlq.topic";
    public static final String WINDOW_RECORDS = "window.records";
    public static final String WINDOW_BYTES = "window.bytes";

    private static final long DAY_MS = 24L * 60 * 60 * 1000;

    public static final ConfigDef DEF = new ConfigDef()
            .define(LOCK_TIMEOUT_MS, ConfigType.LONG, 30_000L, Validator.between(10, DAY_MS),
                    "How long a delivered record stays locked to its worker without an outcome (EXTEND renews "
                            + "it); then it goes back to the queue for another worker.")
            .define(MAX_DELIVERY_ATTEMPTS, ConfigType.INT, 5, Validator.between(1, 1000),
                    "Deliveries of a record that did not end in an ACK before it is moved to the dead-letter topic.")
            .define(BACKOFF_INITIAL_MS, ConfigType.LONG, 1000L, Validator.between(0, DAY_MS),
                    "Delay before redelivering a record nacked (without a delay of its own) after its first "
                            + "delivery; after delivery n it is backoff.initial.ms * backoff.multiplier^(n - 1).")
            .define(BACKOFF_MULTIPLIER, ConfigType.DOUBLE, 2.0, Validator.betweenDecimal(1.0, 100.0),
                    "Growth of the backoff delay per further delivery.")
            .define(BACKOFF_MAX_MS, ConfigType.LONG, 60_000L, Validator.between(0, DAY_MS),
                    "Largest backoff delay.")
            .define(ORDERING, ConfigType.STRING, "none", Validator.oneOf("none", "key"),
                    "none: records go out in parallel. key: records of one partition with the same key go out one "
                            + "at a time, in offset order (the next waits until the previous is acked or "
                            + "dead-lettered); different keys in parallel. Keyless records are not ordered.")
            .define(DLQ_TOPIC, ConfigType.STRING, "", Validator.any(),
                    "The dead-letter topic; empty means the topic's name followed by `.dlq`. Created on first use "
                            + "with the topic's partition count.")
            .define(WINDOW_RECORDS, ConfigType.INT, 500, Validator.between(1, 100_000),
                    "Most unsettled records the broker holds per partition (read ahead, in flight, waiting for a "
                            + "retry): bounds broker memory and how many workers one partition keeps busy.")
            .define(WINDOW_BYTES, ConfigType.LONG, 4L << 20, Validator.between(1024, 1L << 30),
                    "Most bytes of unsettled records the broker holds per partition (always at least one record).");

    private final ConfigValues values;

    private QueueConfig(ConfigValues values) {
        this.values = values;
    }

    public static QueueConfig defaults() {
        return parse(Map.of());
    }

    /** Parses explicit settings; ConfigException for unknown keys or bad values. */
    public static QueueConfig parse(Map<String, String> raw) {
        return new QueueConfig(ConfigValues.parse(DEF, raw));
    }

    /** A copy with some keys set and others back to their defaults; validates the new values. */
    public QueueConfig alter(Map<String, String> set, Iterable<String> reset) {
        return new QueueConfig(values.alter(set, reset));
    }

    /**
     * Checks that settings a later subscriber gives agree with these: each must parse to the effective value.
     * Throws ConfigException naming the first that differs.
     */
    public void requireAgreement(Map<String, String> given, String queue) {
        DEF.parse(given).forEach((name, value) -> {
            if (!Objects.equals(value, values.get(name))) {
                throw new ConfigException(name, "Queue '" + queue + "' has " + name + "=" + values.get(name)
                        + ", not " + value + ": subscribe without it, or change it with AlterQueue");
            }
        });
    }

    public Duration lockTimeout() {
        return Duration.ofMillis((Long) values.get(LOCK_TIMEOUT_MS));
    }

    public int maxDeliveryAttempts() {
        return (Integer) values.get(MAX_DELIVERY_ATTEMPTS);
    }

    /** The delay before the next delivery after a NACK without a delay, once the record was delivered {@code deliveries} times. */
    public long backoffMs(int deliveries) {
        double delay = (Long) values.get(BACKOFF_INITIAL_MS)
                * Math.pow((Double) values.get(BACKOFF_MULTIPLIER), Math.max(0, deliveries - 1));
        return (long) Math.min(delay, (Long) values.get(BACKOFF_MAX_MS));
    }

    /** Whether records with the same key go out one at a time. */
    public boolean keyOrdered() {
        return "key".equals(values.get(ORDERING));
    }

    /** The dead-letter topic of a queue over {@code topic}. */
    public String dlqTopic(String topic) {
        String explicit = (String) values.get(DLQ_TOPIC);
        return explicit.isEmpty() ? topic + ".dlq" : explicit;
    }

    public int windowRecords() {
        return (Integer) values.get(WINDOW_RECORDS);
    }

    public long windowBytes() {
        return (Long) values.get(WINDOW_BYTES);
    }

    /** Only the explicit settings, as strings: what is stored. */
    public Map<String, String> overridesAsStrings() {
        return values.overridesAsStrings();
    }

    /** Every setting with its effective value, as strings. */
    public Map<String, String> effectiveAsStrings() {
        return values.effectiveAsStrings();
    }
}
