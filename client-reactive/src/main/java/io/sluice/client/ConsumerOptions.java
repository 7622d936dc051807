package io.sluice.client;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Consumer settings, immutable: each setter returns a copy.
 *
 * @param subscriptions  topic -> partitions to read (an empty list means all of the topic's partitions)
 * @param prefetchRecords most records granted to the broker and not yet passed to the subscriber
 * @param prefetchBytes  most record bytes granted and not yet passed on (one record may exceed it)
 * @param offsetReset    what happens when the start offset, or the position reached, is no longer in the log
 *                       (retention deleted it) or lies beyond its end: fail (NONE, the default) or move on
 * @param membership     consumer group settings; {@link Membership#group()} is null when not in a group
 */
public record ConsumerOptions<K, V>(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer,
                                    Map<String, List<Integer>> subscriptions, StartPosition start,
                                    int prefetchRecords, long prefetchBytes, OffsetReset offsetReset,
                                    Membership membership) {
    /** The default interval of the periodic commit of acknowledged offsets. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(5);

    public ConsumerOptions {
        Objects.requireNonNull(keyDeserializer, "keyDeserializer");
        Objects.requireNonNull(valueDeserializer, "valueDeserializer");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(offsetReset, "offsetReset");
        Objects.requireNonNull(membership, "membership");
        subscriptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(subscriptions));
        if (prefetchRecords < 1 || prefetchBytes < 1) {
            throw new IllegalArgumentException("prefetchRecords and prefetchBytes must be >= 1");
        }
        if (membership.group() != null && subscriptions.values().stream().anyMatch(p -> !p.isEmpty())) {
            throw new IllegalArgumentException("partitions(...) cannot be combined with group(...): the group's broker"
                    + " assigns the partitions; name whole topics with topics(...)");
        }
    }

    public static <K, V> ConsumerOptions<K, V> of(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, Map.of(), StartPosition.latest(), 512, 4 << 20,
                OffsetReset.NONE, Membership.NONE);
    }

    public static ConsumerOptions<String, String> strings() {
        return of(Deserializers.string(), Deserializers.string());
    }

    public static ConsumerOptions<byte[], byte[]> bytes() {
        return of(Deserializers.bytes(), Deserializers.bytes());
    }

    /** Adds topics, all partitions of each. */
    public ConsumerOptions<K, V> topics(String... topics) {
        Map<String, List<Integer>> next = new LinkedHashMap<>(subscriptions);
        for (String topic : topics) {
            next.put(topic, List.of());
        }
        return withSubscriptions(next);
    }

    /** Adds some partitions of a topic. Not with {@link #group(String)}: a group's partitions are assigned. */
    public ConsumerOptions<K, V> partitions(String topic, Integer... partitions) {
        Map<String, List<Integer>> next = new LinkedHashMap<>(subscriptions);
        next.put(topic, List.of(partitions));
        return withSubscriptions(next);
    }

    /**
     * Where to start. In a group it applies only to partitions the group has committed nothing for; the
     * others start at the committed offset.
     */
    public ConsumerOptions<K, V> start(StartPosition start) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, prefetchRecords, prefetchBytes,
                offsetReset, membership);
    }

    public ConsumerOptions<K, V> prefetch(int records, long bytes) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, records, bytes, offsetReset,
                membership);
    }

    /** What to do when the position is outside the log: fail (NONE) or restart at its start or end. */
    public ConsumerOptions<K, V> offsetReset(OffsetReset offsetReset) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, prefetchRecords, prefetchBytes,
                offsetReset, membership);
    }

    /**
     * Joins this consumer group: the broker spreads the partitions of the named topics over the group's
     * members, each partition to one member. Acknowledged records ({@link ReceivedRecord#ack()}) are
     * committed for the group, and a partition's next owner starts at its committed offset.
     */
    public ConsumerOptions<K, V> group(String group) {
        Objects.requireNonNull(group, "group");
        if (group.isEmpty() || group.length() > 255 || group.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("group must be 1 to 255 characters, no NUL, got '" + group + "'");
        }
        return withMembership(membership.with(group, membership.instanceId(), membership.sessionTimeout()));
    }

    /**
     * Static membership (with {@link #group(String)}): a stable id of this consumer instance, such as a pod
     * name. When its stream closes, the member keeps its partitions for the session timeout, and a consumer
     * with the same instance id that joins within it takes them over with no rebalance.
     */
    public ConsumerOptions<K, V> instanceId(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        if (instanceId.isEmpty()) {
            throw new IllegalArgumentException("instanceId must not be empty");
        }
        return withMembership(membership.with(membership.group(), instanceId, membership.sessionTimeout()));
    }

    /**
     * How long the member may stay silent before the broker removes it and moves its partitions (with
     * {@link #group(String)}); {@link Duration#ZERO}, the default, means the broker's
     * {@code group.session.timeout.ms}. The broker accepts 500 ms to 5 minutes.
     */
    public ConsumerOptions<K, V> sessionTimeout(Duration sessionTimeout) {
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        if (sessionTimeout.isNegative() || sessionTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sessionTimeout must be >= 0 and fit in an int of ms, got " + sessionTimeout);
        }
        return withMembership(membership.with(membership.group(), membership.instanceId(), sessionTimeout));
    }

    /**
     * How often acknowledged offsets are committed (with {@link #group(String)}); default 5 s.
     * {@link Duration#ZERO} turns the periodic commit off: offsets are then committed by
     * {@link ReactiveConsumer#commit()}, on a revoke and when the subscription ends.
     */
    public ConsumerOptions<K, V> commitInterval(Duration commitInterval) {
        Objects.requireNonNull(commitInterval, "commitInterval");
        if (commitInterval.isNegative()) {
            throw new IllegalArgumentException("commitInterval must be >= 0, got " + commitInterval);
        }
        return withMembership(new Membership(membership.group(), membership.instanceId(), membership.sessionTimeout(),
                commitInterval, membership.onAssigned(), membership.onRevoked()));
    }

    /**
     * Called with the partitions the broker assigns to this member, on the subscription's worker before any
     * of their records is delivered.
     */
    public ConsumerOptions<K, V> onAssigned(Consumer<Collection<TopicPartition>> listener) {
        Objects.requireNonNull(listener, "listener");
        return withMembership(new Membership(membership.group(), membership.instanceId(), membership.sessionTimeout(),
                membership.commitInterval(), listener, membership.onRevoked()));
    }

    /**
     * Called with partitions this member gives up: revoked by the broker (a rebalance), lost with the stream
     * (before the consumer rejoins), or released when the subscription ends. Every partition passed to
     * {@link #onAssigned} is passed here exactly once. It runs on the subscription's worker after their
     * prefetched records were dropped and before their final offsets are committed, so records acknowledged
     * within the callback are committed (except for partitions lost with the stream: nothing can be committed
     * for them any more).
     */
    public ConsumerOptions<K, V> onRevoked(Consumer<Collection<TopicPartition>> listener) {
        Objects.requireNonNull(listener, "listener");
        return withMembership(new Membership(membership.group(), membership.instanceId(), membership.sessionTimeout(),
                membership.commitInterval(), membership.onAssigned(), listener));
    }

    /** Where a consumer goes when its offset is no longer (or not yet) in the log. */
    public enum OffsetReset {
        /** Fail with {@link OffsetOutOfRangeException}. */
        NONE(io.sluice.proto.v1.OffsetReset.OFFSET_RESET_NONE),
        /** Continue from the first offset still in the log. */
        EARLIEST(io.sluice.proto.v1.OffsetReset.OFFSET_RESET_EARLIEST),
        /** Continue from the end of the log. */
        LATEST(io.sluice.proto.v1.OffsetReset.OFFSET_RESET_LATEST);

        final io.sluice.proto.v1.OffsetReset proto;

        OffsetReset(io.sluice.proto.v1.OffsetReset proto) {
            this.proto = proto;
        }
    }

    /**
     * Consumer group settings.
     *
     * @param group          the group id; null: not in a group
     * @param instanceId     the static member id; null: a dynamic member
     * @param sessionTimeout ZERO: the broker's default
     * @param commitInterval ZERO: no periodic commit
     */
    public record Membership(String group, String instanceId, Duration sessionTimeout, Duration commitInterval,
                             Consumer<Collection<TopicPartition>> onAssigned,
                             Consumer<Collection<TopicPartition>> onRevoked) {
        static final Membership NONE = new Membership(null, null, Duration.ZERO, DEFAULT_COMMIT_INTERVAL, p -> { }, p -> { });

        public Membership {
            Objects.requireNonNull(sessionTimeout, "sessionTimeout");
            Objects.requireNonNull(commitInterval, "commitInterval");
            Objects.requireNonNull(onAssigned, "onAssigned");
            Objects.requireNonNull(onRevoked, "onRevoked");
        }

        private Membership with(String group, String instanceId, Duration sessionTimeout) {
            return new Membership(group, instanceId, sessionTimeout, commitInterval, onAssigned, onRevoked);
        }
    }

    private ConsumerOptions<K, V> withSubscriptions(Map<String, List<Integer>> subscriptions) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, prefetchRecords, prefetchBytes,
                offsetReset, membership);
    }

    private ConsumerOptions<K, V> withMembership(Membership membership) {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, subscriptions, start, prefetchRecords, prefetchBytes,
                offsetReset, membership);
    }
}
