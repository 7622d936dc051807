package io.sluice.server.log;

import io.sluice.server.storage.GroupCommitWriter;
import io.sluice.server.storage.RocksStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.WriteBatch;
import reactor.core.publisher.Mono;

/**
 * Consumer groups' committed offsets, stored in the meta column family under
 * {@code offset/<topic>\0<group>\0<partition>} and kept in memory for fast reads. A commit is written
 * through the log writer (in the write-ahead log, so it survives a crash) and visible once written.
 */
public final class CommittedOffsets {
    private static final byte[] PREFIX = "offset/".getBytes(StandardCharsets.UTF_8);
    private static final Comparator<TopicPartition> BY_TOPIC_THEN_PARTITION =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final RocksStore store;
    private final GroupCommitWriter writer;
    /** Per partition: group -> committed offset. The inner maps are immutable and replaced whole. */
    private final Map<TopicPartition, Map<String, Long>> byPartition = new ConcurrentHashMap<>();
    /**
     * Writer thread only: per group, every partition with a key put in a batch, including commits written but
     * not yet visible in {@link #byPartition}, so a group's deletion in the same batch removes them too.
     */
    private final Map<String, Set<TopicPartition>> keysByGroup = new HashMap<>();

    CommittedOffsets(RocksStore store, GroupCommitWriter writer) {
        this.store = store;
        this.writer = writer;
        store.scanMeta(PREFIX).forEach((key, value) -> {
            Key k = Key.decode(key);
            TopicPartition partition = new TopicPartition(k.topic(), k.partition());
            remember(partition, k.group(), ByteBuffer.wrap(value).getLong());
            keysByGroup.computeIfAbsent(k.group(), g -> new HashSet<>()).add(partition);
        });
    }

    /** Stores the offsets; the Mono completes once they are written. Never blocks the caller. */
    public Mono<Void> commit(String group, String topic, Map<Integer, Long> offsets) {
        Map<Integer, Long> copy = Map.copyOf(offsets);
        MetaOp op = new MetaOp(batch -> copy.forEach((partition, offset) -> {
            store.putMeta(batch, new Key(topic, group, partition).encode(), ByteBuffer.allocate(8).putLong(offset).array());
            keysByGroup.computeIfAbsent(group, g -> new HashSet<>()).add(new TopicPartition(topic, partition));
        }), false);
        // Registered before submitting: the writer completes ops in order, so memory follows the order of the
        // writes even when nobody subscribes to the result (or subscribes late).
        CompletableFuture<Void> visible = op.done.thenRun(() -> copy.forEach((partition, offset) ->
                remember(new TopicPartition(topic, partition), group, offset)));
        writer.submit(op);
        return Mono.fromFuture(visible, true);
    }

    /**
     * Deletes every committed offset of the group, across topics; the Mono completes once the deletion is
     * written (and the offsets are gone from memory). Never blocks the caller.
     */
    public Mono<Void> deleteGroup(String group) {
        MetaOp op = new MetaOp(batch -> {
            // Those in memory too, in case an earlier deletion's write failed after it was applied here.
            Set<TopicPartition> keys = new HashSet<>(fetch(group).keySet());
            keys.addAll(keysByGroup.getOrDefault(group, Set.of()));
            keysByGroup.remove(group);
            keys.forEach(tp -> store.deleteMeta(batch, new Key(tp.topic(), group, tp.partition()).encode()));
        }, true);
        CompletableFuture<Void> forgotten = op.done.thenRun(() -> byPartition.keySet().forEach(tp -> forget(tp, group)));
        writer.submit(op);
        return Mono.fromFuture(forgotten, true);
    }

    /** Every group with at least one committed offset, sorted. */
    public SortedSet<String> groups() {
        SortedSet<String> groups = new TreeSet<>();
        byPartition.values().forEach(byGroup -> groups.addAll(byGroup.keySet()));
        return groups;
    }

    /** The group's committed offsets on every topic, by partition (sorted by topic, then partition). */
    public Map<TopicPartition, Long> fetch(String group) {
        Map<TopicPartition, Long> out = new TreeMap<>(BY_TOPIC_THEN_PARTITION);
        byPartition.forEach((tp, groups) -> {
            Long offset = groups.get(group);
            if (offset != null) {
                out.put(tp, offset);
            }
        });
        return out;
    }

    /** The group's committed offset for one partition, or null if it never committed one. One lookup. */
    public Long committed(String group, TopicPartition partition) {
        Map<String, Long> groups = byPartition.get(partition);
        return groups == null ? null : groups.get(group);
    }

    /** The group's committed offsets for the topic's partitions, by partition; absent if never committed. */
    public Map<Integer, Long> fetch(String group, String topic) {
        Map<Integer, Long> out = new TreeMap<>();
        byPartition.forEach((tp, groups) -> {
            Long offset = groups.get(group);
            if (tp.topic().equals(topic) && offset != null) {
                out.put(tp.partition(), offset);
            }
        });
        return out;
    }

    /** The lowest offset committed for the partition by any group, or empty if no group committed one. */
    public OptionalLong slowest(TopicPartition partition) {
        Map<String, Long> groups = byPartition.get(partition);
        if (groups == null || groups.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(groups.values().stream().mapToLong(Long::longValue).min().orElseThrow());
    }

    /** Adds the deletion of every offset of the topic to {@code batch} and forgets them. Writer thread only. */
    void forgetTopic(WriteBatch batch, String topic) {
        keysByGroup.values().forEach(keys -> keys.removeIf(tp -> tp.topic().equals(topic)));
        keysByGroup.values().removeIf(Set::isEmpty);
        byPartition.keySet().removeIf(tp -> {
            if (!tp.topic().equals(topic)) {
                return false;
            }
            byPartition.get(tp).keySet().forEach(group ->
                    store.deleteMeta(batch, new Key(topic, group, tp.partition()).encode()));
            return true;
        });
    }

    private void remember(TopicPartition partition, String group, long offset) {
        byPartition.compute(partition, (tp, groups) -> {
            Map<String, Long> next = groups == null ? new TreeMap<>() : new TreeMap<>(groups);
            next.put(group, offset);
            return Map.copyOf(next);
        });
    }

    private void forget(TopicPartition partition, String group) {
        byPartition.computeIfPresent(partition, (tp, groups) -> {
            if (!groups.containsKey(group)) {
                return groups;
            }
            Map<String, Long> next = new TreeMap<>(groups);
            next.remove(group);
            return next.isEmpty() ? null : Map.copyOf(next);
        });
    }

    private record Key(String topic, String group, int partition) {
        byte[] encode() {
            byte[] t = topic.getBytes(StandardCharsets.UTF_8);
            byte[] g = group.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(PREFIX.length + t.length + 1 + g.length + 1 + 4)
                    .put(PREFIX).put(t).put((byte) 0).put(g).put((byte) 0).putInt(partition).array();
        }

        static Key decode(byte[] key) {
            int topicEnd = indexOf(key, PREFIX.length);
            int groupEnd = indexOf(key, topicEnd + 1);
            return new Key(new String(key, PREFIX.length, topicEnd - PREFIX.length, StandardCharsets.UTF_8),
                    new String(key, topicEnd + 1, groupEnd - topicEnd - 1, StandardCharsets.UTF_8),
                    ByteBuffer.wrap(key, groupEnd + 1, 4).getInt());
        }

        private static int indexOf(byte[] key, int from) {
            for (int i = from; i < key.length; i++) {
                if (key[i] == 0) {
                    return i;
                }
            }
            throw new IllegalStateException("corrupt offset key");
        }
    }
}
