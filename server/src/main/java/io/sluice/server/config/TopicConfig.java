package io.sluice.server.config;

import java.util.Map;

/** A topic's effective settings: its explicit overrides laid over the declared defaults. */
public final class TopicConfig {
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String MAX_BATCH_BYTES = "max.batch.bytes";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String DURABILITY = "durability";
    public static final String BACKLOG_MAX_BYTES = "backlog.max.bytes";
    public static final String BACKLOG_MAX_RECORDS = "backlog.max.records";
    public static final String BACKLOG_POLICY = "backlog.policy";
    public static final String PRODUCER_BYTE_RATE = "producer.byte.rate";
    public static final String CONSUMER_BYTE_RATE = "consumer.byte.rate";

    public static final ConfigDef DEF = new ConfigDef()
            .define(RETENTION_MS, ConfigType.LONG, 7L * 24 * 60 * 60 * 1000, Validator.atLeast(-1),
                    "How long records are kept, in ms; -1 keeps them forever.")
            .define(RETENTION_BYTES, ConfigType.LONG, 1L << 30, Validator.atLeast(-1),
                    "Most bytes kept per partition before the oldest batches are deleted; -1 for no limit.")
            .define(MAX_MESSAGE_BYTES, ConfigType.INT, 1 << 20, Validator.between(1, 64 << 20),
                    "Largest record accepted, in bytes (key + value + headers, uncompressed).")
            .define(MAX_BATCH_BYTES, ConfigType.INT, 8 << 20, Validator.between(1, 256 << 20),
                    "Largest batch accepted in one ProduceRequest, in bytes of RecordBatch.records as sent "
                            + "(compressed, if it is); a larger batch fails alone with INVALID_BATCH naming this "
                            + "limit. The request as a whole is also bounded by the broker's max.inbound.message.bytes.")
            .define(CLEANUP_POLICY, ConfigType.STRING, "delete", Validator.oneOf("delete", "compact"),
                    "delete: retention.ms and retention.bytes delete the oldest batches. compact: keep the latest "
                            + "record of each key (older ones are removed by the log cleaner; offsets never change, "
                            + "readers see gaps); retention.ms and retention.bytes do not apply. Keyless records "
                            + "are kept.")
            .define(DELETE_RETENTION_MS, ConfigType.LONG, 24L * 60 * 60 * 1000, Validator.atLeast(0),
                    "With cleanup.policy=compact: how long a tombstone (a record with a null value) is kept after "
                            + "its append, so that readers see the deletion, before compaction removes the key.")
            .define(DURABILITY, ConfigType.STRING, "async", Validator.oneOf("async", "fsync"),
                    "async: acknowledged once in the write-ahead log (survives a process crash); "
                            + "fsync: also synced to disk before the acknowledgement (survives power loss), "
                            + "with group commit.")
            .define(BACKLOG_MAX_BYTES, ConfigType.LONG, -1L, Validator.atLeast(-1),
                    "Most record payload bytes per partition not yet consumed by the slowest consumer group that "
                            + "committed offsets (with no group: the whole log); -1 for no limit. Estimated from "
                            + "the partition's average batch size.")
            .define(BACKLOG_MAX_RECORDS, ConfigType.LONG, -1L, Validator.atLeast(-1),
                    "Most records per partition not yet consumed by the slowest consumer group that committed "
                            + "offsets (with no group: the whole log); -1 for no limit.")
            .define(BACKLOG_POLICY, ConfigType.STRING, "block", Validator.oneOf("block", "reject"),
                    "At a backlog limit: block slows producers (no new credit; streams without credit are no "
                            + "longer read) until consumers catch up; reject fails each batch with LIMIT_EXCEEDED "
                            + "(RESOURCE_EXHAUSTED) and a retry-after hint. Acknowledged records are never dropped.")
            .define(PRODUCER_BYTE_RATE, ConfigType.LONG, -1L, Validator.unlimitedOrAtLeast(1),
                    "Most record payload bytes per second all producers together may write to the topic; -1 for "
                            + "no quota. Paced by credit (reason QUOTA, with expected_wait_ms); streams that ignore "
                            + "credit are no longer read until the quota allows.")
            .define(CONSUMER_BYTE_RATE, ConfigType.LONG, -1L, Validator.unlimitedOrAtLeast(1),
                    "Most record payload bytes per second the broker sends to all consumers of the topic together; "
                            + "-1 for no quota. Consumers' credit is honoured only as fast as the quota allows.");

    private final ConfigValues values;

    private TopicConfig(ConfigValues values) {
        this.values = values;
    }

    public static TopicConfig defaults() {
        return parse(Map.of());
    }

    /** Parses explicit overrides; throws ConfigException for unknown keys or bad values. */
    public static TopicConfig parse(Map<String, String> raw) {
        return new TopicConfig(ConfigValues.parse(DEF, raw));
    }

    /** A copy with some keys set and others reset to default; validates the new values. */
    public TopicConfig alter(Map<String, String> set, Iterable<String> reset) {
        return new TopicConfig(values.alter(set, reset));
    }

    public long retentionMs() {
        return (Long) values.get(RETENTION_MS);
    }

    public long retentionBytes() {
        return (Long) values.get(RETENTION_BYTES);
    }

    public int maxMessageBytes() {
        return (Integer) values.get(MAX_MESSAGE_BYTES);
    }

    /** Largest batch payload accepted in one request, in bytes. */
    public int maxBatchBytes() {
        return (Integer) values.get(MAX_BATCH_BYTES);
    }

    /** Whether the log keeps the latest record per key (cleanup.policy=compact) instead of deleting by age and size. */
    public boolean compact() {
        return "compact".equals(values.get(CLEANUP_POLICY));
    }

    public long deleteRetentionMs() {
        return (Long) values.get(DELETE_RETENTION_MS);
    }

    public boolean fsync() {
        return "fsync".equals(values.get(DURABILITY));
    }

    /** Most backlog records per partition, or -1 for no limit. */
    public long backlogMaxRecords() {
        return (Long) values.get(BACKLOG_MAX_RECORDS);
    }

    /** Most backlog bytes per partition, or -1 for no limit. */
    public long backlogMaxBytes() {
        return (Long) values.get(BACKLOG_MAX_BYTES);
    }

    public boolean hasBacklogLimit() {
        return backlogMaxRecords() >= 0 || backlogMaxBytes() >= 0;
    }

    /** Whether producers wait (block) rather than get errors (reject) at a backlog limit. */
    public boolean backlogBlocks() {
        return "block".equals(values.get(BACKLOG_POLICY));
    }

    /** Produce quota of the topic in bytes/s, or -1 for none. */
    public long producerByteRate() {
        return (Long) values.get(PRODUCER_BYTE_RATE);
    }

    /** Consume quota of the topic in bytes/s, or -1 for none. */
    public long consumerByteRate() {
        return (Long) values.get(CONSUMER_BYTE_RATE);
    }

    /** Only the explicit overrides, as strings: what is persisted. */
    public Map<String, String> overridesAsStrings() {
        return values.overridesAsStrings();
    }

    /** Every setting with its effective value, as strings. */
    public Map<String, String> effectiveAsStrings() {
        return values.effectiveAsStrings();
    }
}
