package io.sluice.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The broker's settings. Each comes, by precedence, from a command-line flag ({@code --data-dir}),
 * an environment variable ({@code SLUICE_DATA_DIR}), a properties file ({@code --config FILE}, key
 * {@code data.dir}), or its declared default.
 */
public final class BrokerConfig {
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String DATA_DIR = "data.dir";
    public static final String BROKER_ID = "broker.id";
    public static final String AUTO_CREATE_TOPICS = "auto.create.topics";
    public static final String DEFAULT_PARTITIONS = "default.partitions";
    public static final String MAX_PARTITIONS = "max.partitions.per.topic";
    public static final String MAX_INBOUND_MESSAGE_BYTES = "max.inbound.message.bytes";
    public static final String STORAGE_READ_THREADS = "storage.read.threads";
    public static final String STORAGE_WRITE_BUFFER_BYTES = "storage.write.buffer.bytes";
    public static final String STORAGE_BLOCK_CACHE_BYTES = "storage.block.cache.bytes";
    public static final String PRODUCE_MAX_IN_FLIGHT = "produce.max.in.flight";
    public static final String SHUTDOWN_TIMEOUT_MS = "shutdown.timeout.ms";
    public static final String GROUP_SESSION_TIMEOUT_MS = "group.session.timeout.ms";
    public static final String PRODUCE_CREDIT_RECORDS = "produce.credit.records";
    public static final String PRODUCE_CREDIT_BYTES = "produce.credit.bytes";
    public static final String QUOTA_PRODUCER_BYTE_RATE_PER_CLIENT = "quota.producer.byte.rate.per.client";
    public static final String QUOTA_CONSUMER_BYTE_RATE_PER_CLIENT = "quota.consumer.byte.rate.per.client";
    public static final String PRODUCE_THROTTLE_RECHECK_MS = "produce.throttle.recheck.ms";
    public static final String LOG_CLEANER_INTERVAL_MS = "log.cleaner.interval.ms";

    public static final ConfigDef DEF = new ConfigDef()
            .define(HOST, ConfigType.STRING, "127.0.0.1", Validator.nonEmpty(),
                    "Address to listen on. Loopback by default; 0.0.0.0 listens on every interface.")
            .define(PORT, ConfigType.INT, 7070, Validator.between(0, 65535),
                    "gRPC port; 0 picks a free port (logged at start).")
            .define(DATA_DIR, ConfigType.STRING, "./data", Validator.nonEmpty(),
                    "Directory of the broker's RocksDB store.")
            .define(BROKER_ID, ConfigType.INT, 0, Validator.atLeast(0), "This broker's id in metadata.")
            .define(AUTO_CREATE_TOPICS, ConfigType.BOOLEAN, false, Validator.any(),
                    "Create a topic on first produce or consume instead of failing with NOT_FOUND.")
            .define(DEFAULT_PARTITIONS, ConfigType.INT, 1, Validator.between(1, 1 << 20),
                    "Partition count of auto-created topics.")
            .define(MAX_PARTITIONS, ConfigType.INT, 1024, Validator.between(1, 1 << 20),
                    "Most partitions a topic may have.")
            .define(MAX_INBOUND_MESSAGE_BYTES, ConfigType.INT, 16 << 20, Validator.between(1024, Integer.MAX_VALUE),
                    "Largest gRPC message the broker accepts; larger ones fail with RESOURCE_EXHAUSTED.")
            .define(STORAGE_READ_THREADS, ConfigType.INT, 2, Validator.between(1, 256),
                    "Threads that serve log reads for consumers.")
            .define(STORAGE_WRITE_BUFFER_BYTES, ConfigType.LONG, 128L << 20, Validator.atLeast(16L << 20),
                    "RocksDB memtable memory for all partitions together; more absorbs longer write bursts.")
            .define(STORAGE_BLOCK_CACHE_BYTES, ConfigType.LONG, 64L << 20, Validator.atLeast(1L << 20),
                    "RocksDB block cache for reads of data already flushed to disk.")
            .define(PRODUCE_MAX_IN_FLIGHT, ConfigType.INT, 64, Validator.between(1, 512),
                    "Most batches one produce stream may have in the broker at once (read from the network, "
                            + "not yet acknowledged); bounds the broker memory a producer can hold.")
            .define(GROUP_SESSION_TIMEOUT_MS, ConfigType.INT, 10_000, Validator.between(500, 300_000),
                    "How long a consumer group member may stay silent (no answer to keepalives) before it is removed "
                            + "and its partitions move, unless its Subscribe asks for another timeout (500 ms to 5 min).")
            .define(SHUTDOWN_TIMEOUT_MS, ConfigType.LONG, 10_000L, Validator.atLeast(0),
                    "How long shutdown waits for in-flight work before closing streams.")
            .define(PRODUCE_CREDIT_RECORDS, ConfigType.LONG, 65_536L, Validator.atLeast(1),
                    "Records a credit-aware produce stream may have granted and not yet acknowledged (its window): "
                            + "the initial grant, topped up as batches are acknowledged, less under pressure.")
            .define(PRODUCE_CREDIT_BYTES, ConfigType.LONG, 16L << 20, Validator.atLeast(1024),
                    "Record payload bytes a credit-aware produce stream may have granted and not yet acknowledged.")
            .define(QUOTA_PRODUCER_BYTE_RATE_PER_CLIENT, ConfigType.LONG, -1L, Validator.unlimitedOrAtLeast(1),
                    "Most record payload bytes per second each client id (gRPC header sluice-client-id; clients "
                            + "without one share the id \"\") may produce, over all its streams and topics; -1 for "
                            + "no quota. Paced like the topic quota producer.byte.rate.")
            .define(QUOTA_CONSUMER_BYTE_RATE_PER_CLIENT, ConfigType.LONG, -1L, Validator.unlimitedOrAtLeast(1),
                    "Most record payload bytes per second the broker sends to each client id, over all its "
                            + "consume streams; -1 for no quota.")
            .define(PRODUCE_THROTTLE_RECHECK_MS, ConfigType.LONG, 100L, Validator.between(1, 60_000),
                    "How often a throttled produce stream (no credit, or waiting for a full backlog) checks whether "
                            + "it may go on; also how often storage pressure is sampled.")
            .define(LOG_CLEANER_INTERVAL_MS, ConfigType.LONG, 60_000L, Validator.between(10, 24L * 60 * 60 * 1000),
                    "How often the log cleaner passes over every partition, applying retention.ms and "
                            + "retention.bytes (and giving the freed disk space back).");

    private final Map<String, Object> values;

    private BrokerConfig(Map<String, Object> explicit) {
        this.values = DEF.withDefaults(explicit);
    }

    /** Settings from explicit key/value pairs (keys as declared, e.g. {@code data.dir}) over the defaults. */
    public static BrokerConfig of(Map<String, String> settings) {
        return new BrokerConfig(DEF.parse(settings));
    }

    /**
     * Settings from command-line arguments ({@code --port 7070}, {@code --data-dir=./d}, {@code --config FILE}),
     * the environment and an optional properties file.
     */
    public static BrokerConfig load(String[] args, Map<String, String> env) {
        Map<String, String> flags = new HashMap<>();
        String configFile = env.get("SLUICE_CONFIG");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new ConfigException(arg, "Unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new ConfigException(name, "Option '" + arg + "' needs a value");
            }
            if (name.equals("config")) {
                configFile = value;
                continue;
            }
            String key = keyForFlag(name);
            flags.put(key, value);
        }
        Map<String, String> merged = new HashMap<>();
        if (configFile != null) {
            merged.putAll(readFile(Path.of(configFile)));
        }
        for (ConfigKey key : DEF.keys()) {
            String fromEnv = env.get(key.envVar());
            if (fromEnv != null) {
                merged.put(key.name(), fromEnv);
            }
        }
        merged.putAll(flags);
        return of(merged);
    }

    private static String keyForFlag(String flag) {
        for (ConfigKey key : DEF.keys()) {
            if (key.flag().equals("--" + flag) || key.name().equals(flag)) {
                return key.name();
            }
        }
        throw new ConfigException(flag, "Unknown option '--" + flag + "'");
    }

    private static Map<String, String> readFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("config", "Cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> out = new HashMap<>();
        props.stringPropertyNames().forEach(name -> out.put(name, props.getProperty(name)));
        return out;
    }

    public String host() {
        return (String) values.get(HOST);
    }

    public int port() {
        return (Integer) values.get(PORT);
    }

    public Path dataDir() {
        return Path.of((String) values.get(DATA_DIR));
    }

    public int brokerId() {
        return (Integer) values.get(BROKER_ID);
    }

    public boolean autoCreateTopics() {
        return (Boolean) values.get(AUTO_CREATE_TOPICS);
    }

    public int defaultPartitions() {
        return (Integer) values.get(DEFAULT_PARTITIONS);
    }

    public int maxPartitions() {
        return (Integer) values.get(MAX_PARTITIONS);
    }

    public int maxInboundMessageBytes() {
        return (Integer) values.get(MAX_INBOUND_MESSAGE_BYTES);
    }

    public int storageReadThreads() {
        return (Integer) values.get(STORAGE_READ_THREADS);
    }

    public io.sluice.server.storage.StorageMemory storageMemory() {
        return new io.sluice.server.storage.StorageMemory((Long) values.get(STORAGE_WRITE_BUFFER_BYTES),
                (Long) values.get(STORAGE_BLOCK_CACHE_BYTES));
    }

    public int produceMaxInFlight() {
        return (Integer) values.get(PRODUCE_MAX_IN_FLIGHT);
    }

    public long produceCreditRecords() {
        return (Long) values.get(PRODUCE_CREDIT_RECORDS);
    }

    public long produceCreditBytes() {
        return (Long) values.get(PRODUCE_CREDIT_BYTES);
    }

    /** Produce quota per client id in bytes/s, or -1 for none. */
    public long quotaProducerByteRatePerClient() {
        return (Long) values.get(QUOTA_PRODUCER_BYTE_RATE_PER_CLIENT);
    }

    /** Consume quota per client id in bytes/s, or -1 for none. */
    public long quotaConsumerByteRatePerClient() {
        return (Long) values.get(QUOTA_CONSUMER_BYTE_RATE_PER_CLIENT);
    }

    public java.time.Duration produceThrottleRecheck() {
        return java.time.Duration.ofMillis((Long) values.get(PRODUCE_THROTTLE_RECHECK_MS));
    }

    public java.time.Duration logCleanerInterval() {
        return java.time.Duration.ofMillis((Long) values.get(LOG_CLEANER_INTERVAL_MS));
    }

    public long shutdownTimeoutMs() {
        return (Long) values.get(SHUTDOWN_TIMEOUT_MS);
    }

    public java.time.Duration groupSessionTimeout() {
        return java.time.Duration.ofMillis((Integer) values.get(GROUP_SESSION_TIMEOUT_MS));
    }
}
