package io.sluice.server.log;

import io.sluice.proto.v1.ErrorCode;
import io.sluice.server.config.TopicConfig;
import io.sluice.server.error.SluiceException;
import io.sluice.server.storage.GroupCommitWriter;
import io.sluice.server.storage.RocksStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics of this broker and their partition logs. Topic changes are persisted in the meta column
 * family and applied through the log writer, so they are ordered with the appends around them.
 * The mutating methods block on storage: call them off the gRPC threads.
 */
public final class LogManager {
    private static final Logger log = LoggerFactory.getLogger(LogManager.class);
    private static final byte[] TOPIC_PREFIX = "topic/".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEXT_TOPIC_ID = "next.topic.id".getBytes(StandardCharsets.UTF_8);
    /** A log id is the topic id in the high 32 bits and the partition in the low 32. */
    private static final int PARTITION_BITS = 32;

    private final RocksStore store;
    private final GroupCommitWriter writer;
    private final int maxPartitions;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final CommittedOffsets offsets;
    private final MetaStore meta;
    private final Clock clock;
    private long nextTopicId;

    public LogManager(RocksStore store, GroupCommitWriter writer, int maxPartitions) {
        this(store, writer, maxPartitions, Clock.systemUTC());
    }

    /** @param clock the time appends are stamped with and retention judges by */
    public LogManager(RocksStore store, GroupCommitWriter writer, int maxPartitions, Clock clock) {
        this.store = store;
        this.writer = writer;
        this.maxPartitions = maxPartitions;
        this.clock = clock;
        this.offsets = new CommittedOffsets(store, writer);
        this.meta = new MetaStore(store, writer);
        load();
    }

    private void load() {
        byte[] next = store.getMeta(NEXT_TOPIC_ID);
        nextTopicId = next == null ? 1 : ByteBuffer.wrap(next).getLong();
        for (byte[] value : store.scanMeta(TOPIC_PREFIX).values()) {
            TopicRecord record = TopicRecord.decode(value);
            topics.put(record.name(), open(record, TopicConfig.parse(record.configOverrides())));
        }
        log.info("loaded {} topics", topics.size());
    }

    private Topic open(TopicRecord record, TopicConfig config) {
        return new Topic(record.name(), record.id(), config, topic -> {
            List<PartitionLog> logs = new ArrayList<>(record.partitions());
            for (int p = 0; p < record.partitions(); p++) {
                store.createLog(logId(record.id(), p));
                logs.add(new LocalPartitionLog(new TopicPartition(record.name(), p), logId(record.id(), p), store, writer,
                        clock, topic::config));
            }
            return logs;
        });
    }

    private static long logId(long topicId, int partition) {
        return (topicId << PARTITION_BITS) | partition;
    }

    /** The topic, or UNKNOWN_TOPIC. */
    public Topic topic(String name) {
        Topic topic = topics.get(name);
        if (topic == null) {
            TopicNames.validate(name);
            throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "Topic '" + name + "' does not exist");
        }
        return topic;
    }

    public Optional<Topic> find(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    /** All topics sorted by name. */
    public List<Topic> topics() {
        return topics.values().stream().sorted(Comparator.comparing(Topic::name)).toList();
    }

    /** Consumer groups' committed offsets. */
    public CommittedOffsets offsets() {
        return offsets;
    }

    /** Metadata that services above the log keep (queue state). */
    public MetaStore meta() {
        return meta;
    }

    public int maxPartitions() {
        return maxPartitions;
    }

    /** Creates a topic; ALREADY_EXISTS, INVALID_TOPIC_NAME, INVALID_PARTITION_COUNT or INVALID_CONFIG on bad input. */
    public synchronized Topic create(String name, int partitions, TopicConfig config) {
        TopicNames.validate(name);
        if (partitions < 1 || partitions > maxPartitions) {
            throw new SluiceException(ErrorCode.INVALID_PARTITION_COUNT, "Invalid partition count " + partitions
                    + " for topic '" + name + "': must be between 1 and " + maxPartitions);
        }
        if (topics.containsKey(name)) {
            throw new SluiceException(ErrorCode.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists");
        }
        long id = nextTopicId++;
        TopicRecord record = new TopicRecord(name, id, partitions, config.overridesAsStrings());
        await(new MetaOp(batch -> {
            store.putMeta(batch, NEXT_TOPIC_ID, ByteBuffer.allocate(8).putLong(nextTopicId).array());
            store.putMeta(batch, topicKey(name), record.encode());
        }, true));
        Topic topic = open(record, config);
        topics.put(name, topic);
        log.info("created topic {} with {} partitions", name, partitions);
        return topic;
    }

    /** Creates the topic with default settings unless it exists (for auto-creation). */
    public synchronized Topic getOrCreate(String name, int partitions) {
        Topic existing = topics.get(name);
        return existing != null ? existing : create(name, partitions, TopicConfig.defaults());
    }

    /** Deletes a topic and its data; UNKNOWN_TOPIC if there is none. */
    public synchronized void delete(String name) {
        Topic topic = topic(name);
        topics.remove(name);
        for (PartitionLog partition : topic.partitions()) {
            ((LocalPartitionLog) partition).markDeleted();
        }
        await(new MetaOp(batch -> {
            store.deleteMeta(batch, topicKey(name));
            offsets.forgetTopic(batch, name);
        }, true));
        // Appends queued before the delete were applied or refused by now; the data can go.
        for (int p = 0; p < topic.partitionCount(); p++) {
            store.dropLog(logId(topic.id(), p));
        }
        log.info("deleted topic {}", name);
    }

    /** Changes a topic's config overrides; INVALID_CONFIG leaves it unchanged. */
    public synchronized TopicConfig alterConfig(String name, Map<String, String> set, List<String> reset) {
        Topic topic = topic(name);
        TopicConfig next = topic.config().alter(set, reset);
        TopicRecord record = new TopicRecord(name, topic.id(), topic.partitionCount(), next.overridesAsStrings());
        await(new MetaOp(batch -> store.putMeta(batch, topicKey(name), record.encode()), true));
        topic.config(next);
        return next;
    }

    private static byte[] topicKey(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[TOPIC_PREFIX.length + n.length];
        System.arraycopy(TOPIC_PREFIX, 0, key, 0, TOPIC_PREFIX.length);
        System.arraycopy(n, 0, key, TOPIC_PREFIX.length, n.length);
        return key;
    }

    private void await(MetaOp op) {
        writer.submit(op);
        try {
            op.done.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }
}
