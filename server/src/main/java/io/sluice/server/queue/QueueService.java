package io.sluice.server.queue;

import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.DeadLetter;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.QueueDescription;
import io.sluice.proto.v1.StartPosition;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.SubscriptionMode;
import io.sluice.proto.v1.TopicSubscription;
import io.sluice.server.config.ConfigException;
import io.sluice.server.config.QueueConfig;
import io.sluice.server.error.SluiceException;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.MetaWrites;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.Topic;
import io.sluice.server.log.TopicNames;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * Queue mode: the queues of this broker, created by their first subscriber and stored in the broker's
 * metadata, and their administration. A queue's state lives in memory only while it is in use (a worker
 * subscribed, or an admin asked), in a {@link SharedQueue}.
 */
public final class QueueService {
    private static final Logger log = LoggerFactory.getLogger(QueueService.class);

    /** A queue's counters. */
    record Meters(Counter delivered, Counter acked, Counter nacked, Counter deadLettered, Counter lockExpired) {
    }

    private final LogManager logs;
    private final Scheduler readScheduler;
    private final Scheduler blockingScheduler;
    private final Clock clock;
    private final MeterRegistry meters;
    private final boolean autoCreateTopics;
    private final int defaultPartitions;
    private final QueueStore store;
    private final DeadLetters deadLetters;
    private final Map<String, QueueDefinition> definitions = new ConcurrentSkipListMap<>();
    private final Map<String, SharedQueue> active = new ConcurrentHashMap<>();
    /** The last write of a queue that stopped, which its next instance waits for before loading. */
    private final Map<String, CompletableFuture<Void>> stopping = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param readScheduler     where each queue runs (one worker per queue, reading the log)
     * @param blockingScheduler where subscribes find or create their queue (metadata writes, and waits for a
     *                          stopped queue's last write, which runs on the read scheduler)
     * @param clock             the time locks, delays and ages are judged by
     */
    public QueueService(LogManager logs, Scheduler readScheduler, Scheduler blockingScheduler, Clock clock,
                        MeterRegistry meters, boolean autoCreateTopics, int defaultPartitions) {
        this.logs = logs;
        this.readScheduler = readScheduler;
        this.blockingScheduler = blockingScheduler;
        this.clock = clock;
        this.meters = meters;
        this.autoCreateTopics = autoCreateTopics;
        this.defaultPartitions = defaultPartitions;
        this.store = new QueueStore(logs.meta());
        this.deadLetters = new DeadLetters(logs, store);
        store.definitions().forEach(d -> definitions.put(d.name(), d));
        log.info("loaded {} queues", definitions.size());
    }

    /** Whether a Consume stream's first request makes it a queue worker. */
    public static boolean isQueueSubscribe(ConsumeRequest first) {
        return first.hasSubscribe() && (first.getSubscribe().getMode() == SubscriptionMode.SUBSCRIPTION_MODE_QUEUE
                || first.getSubscribe().hasQueue());
    }

    /** A Consume stream whose first request is a queue-mode Subscribe. */
    public Flux<ConsumeResponse> consume(Flux<ConsumeRequest> requests) {
        return requests.switchOnFirst((first, all) -> {
            if (!first.hasValue()) {
                return Flux.error(violation("The first ConsumeRequest must be a Subscribe"));
            }
            Subscribe subscribe = first.get().getSubscribe();
            return Mono.fromCallable(() -> open(subscribe))
                    .subscribeOn(blockingScheduler)
                    .flatMapMany(opened -> opened.queue().attach(subscribe, opened.created(), all.skip(1)));
        }).onErrorMap(e -> e instanceof StatusRuntimeException ? e : SluiceException.from(e).toStatus());
    }

    private record Opened(SharedQueue queue, boolean created) {
    }

    /** Finds or creates the queue a Subscribe names. Blocking. */
    private synchronized Opened open(Subscribe subscribe) {
        if (closed) {
            throw new SluiceException(ErrorCode.BROKER_UNAVAILABLE, "The broker is shutting down");
        }
        if (subscribe.getMode() != SubscriptionMode.SUBSCRIPTION_MODE_QUEUE) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "Subscribe.queue is set: set mode SUBSCRIPTION_MODE_QUEUE too");
        }
        if (!subscribe.hasQueue()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "Queue mode needs Subscribe.queue with the queue's name");
        }
        if (subscribe.hasGroup()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "A queue worker is not a consumer group member: unset group");
        }
        if (subscribe.getTopicsCount() != 1) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "A queue reads exactly one topic; the Subscribe names "
                    + subscribe.getTopicsCount());
        }
        TopicSubscription wanted = subscribe.getTopics(0);
        if (wanted.getPartitionsCount() > 0 || wanted.getStartOffsetsCount() > 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "A queue reads every partition of its topic: set no "
                    + "partitions or start_offsets");
        }
        String name = subscribe.getQueue().getName();
        QueueNames.validate(name);
        QueueDefinition definition = definitions.get(name);
        boolean created = definition == null;
        if (created) {
            create(name, wanted.getTopic(), subscribe);
        } else {
            if (!definition.topic().equals(wanted.getTopic())) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "Queue '" + name + "' reads topic '"
                        + definition.topic() + "', not '" + wanted.getTopic() + "'");
            }
            definition.config().requireAgreement(subscribe.getQueue().getConfigMap(), name);
        }
        return new Opened(current(name), created);
    }

    private void create(String name, String topicName, Subscribe subscribe) {
        QueueConfig config = QueueConfig.parse(subscribe.getQueue().getConfigMap());
        Topic topic = autoCreateTopics ? logs.getOrCreate(topicName, defaultPartitions) : logs.topic(topicName);
        requireValidDlq(config, topic.name());
        QueueDefinition definition = new QueueDefinition(name, topic.name(), topic.id(), config.overridesAsStrings(),
                clock.millis());
        MetaWrites.Builder writes = MetaWrites.builder();
        store.putDefinition(writes, definition);
        for (PartitionLog partition : topic.partitions()) {
            store.putPartition(writes, name, partition.id().partition(), start(partition, subscribe.getStart()), 0,
                    new OffsetRanges());
        }
        await(store.meta().write(writes.build(), true));
        definitions.put(name, definition);
        log.info("created queue {} on topic {}", name, topic.name());
    }

    /** Where a new queue starts in a partition. */
    private static long start(PartitionLog partition, StartPosition start) {
        return switch (start.getPositionCase()) {
            case EARLIEST -> partition.startOffset();
            case LATEST, POSITION_NOT_SET -> partition.highWatermark();
            case TIMESTAMP_MS -> partition.offsetForTimestamp(start.getTimestampMs());
            case OFFSET -> {
                if (start.getOffset() < 0) {
                    throw new SluiceException(ErrorCode.INVALID_OFFSET, "Start offset " + start.getOffset() + " is negative");
                }
                yield Math.max(partition.startOffset(), Math.min(start.getOffset(), partition.highWatermark()));
            }
        };
    }

    /** The dead-letter topic must be a valid topic name, and another topic. */
    private static void requireValidDlq(QueueConfig config, String topic) {
        try {
            TopicNames.validate(config.dlqTopic(topic));
        } catch (SluiceException e) {
            throw new ConfigException(QueueConfig.DLQ_TOPIC, "Invalid dead-letter topic: " + e.getMessage());
        }
        if (config.dlqTopic(topic).equals(topic)) {
            throw new ConfigException(QueueConfig.DLQ_TOPIC, "The dead-letter topic of a queue on '" + topic
                    + "' cannot be '" + topic + "' itself");
        }
    }

    /** The queue's running instance, started (not loaded yet) if there is none. Blocking. */
    private synchronized SharedQueue current(String name) {
        SharedQueue queue = active.get(name);
        if (queue != null) {
            return queue;
        }
        QueueDefinition definition = definitions.get(name);
        if (definition == null) {
            throw unknown(name);
        }
        CompletableFuture<Void> previous = stopping.remove(name);
        if (previous != null) {
            previous.exceptionally(e -> null).join();
        }
        Topic topic = logs.topic(definition.topic());
        if (topic.id() != definition.topicId()) {
            definition = reset(definition, topic);
        }
        queue = new SharedQueue(this, definition, topic, readScheduler, clock, store, meters(name));
        active.put(name, queue);
        return queue;
    }

    /** The queue's topic was deleted and created again: the queue starts over at the new topic's beginning. */
    private QueueDefinition reset(QueueDefinition definition, Topic topic) {
        QueueDefinition next = definition.withTopicId(topic.id());
        MetaWrites.Builder writes = MetaWrites.builder();
        store.deleteQueue(writes, definition.name(), true);
        store.putDefinition(writes, next);
        for (PartitionLog partition : topic.partitions()) {
            store.putPartition(writes, next.name(), partition.id().partition(), partition.startOffset(), 0, new OffsetRanges());
        }
        await(store.meta().write(writes.build(), true));
        definitions.put(next.name(), next);
        log.info("queue {} starts over: its topic {} is a new one", next.name(), topic.name());
        return next;
    }

    /** Called by a queue that failed: its next instance loads what it stored. Must not block (runs on the queue's worker). */
    void forget(SharedQueue queue) {
        // First the write to wait for, then the removal: a new instance never misses it.
        stopping.put(queue.name, queue.quiesced());
        active.remove(queue.name, queue);
    }

    DeadLetters deadLetters() {
        return deadLetters;
    }

    private Meters meters(String queue) {
        return new Meters(counter("sluice.queue.records.delivered", queue, "Records delivered to queue workers"),
                counter("sluice.queue.records.acked", queue, "Records acked by queue workers"),
                counter("sluice.queue.records.nacked", queue, "Records nacked by queue workers"),
                counter("sluice.queue.records.dead.lettered", queue, "Records moved to the dead-letter topic"),
                counter("sluice.queue.locks.expired", queue, "Deliveries whose lock timed out"));
    }

    private Counter counter(String name, String queue, String description) {
        return Counter.builder(name).tag("queue", queue).description(description).register(meters);
    }

    // ---- administration; the blocking ones run on the caller's (metadata) scheduler ----

    /** One queue with its counts. */
    public Mono<QueueDescription> describe(String name, boolean perPartition) {
        return Mono.fromCallable(() -> current(name))
                .subscribeOn(blockingScheduler)
                .flatMap(queue -> queue.describe(perPartition))
                // A queue that failed is loaded again by the retry.
                .retryWhen(Retry.backoff(3, Duration.ofMillis(10))
                        .filter(e -> e instanceof SluiceException s && s.code() == ErrorCode.BROKER_UNAVAILABLE && !closed)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .onErrorResume(e -> e instanceof SluiceException s && s.code() == ErrorCode.UNKNOWN_TOPIC
                        && definitions.containsKey(name), e -> Mono.just(bare(definitions.get(name))));
    }

    /** Every queue with its counts, by name. */
    public Mono<List<QueueDescription>> list() {
        return Flux.fromIterable(List.copyOf(definitions.keySet()))
                .concatMap(name -> describe(name, false).onErrorResume(e -> e instanceof SluiceException s
                        && s.code() == ErrorCode.UNKNOWN_QUEUE, e -> Mono.empty()))
                .collectList();
    }

    /** A queue whose topic is gone: only what is stored. */
    private static QueueDescription bare(QueueDefinition definition) {
        QueueConfig config = definition.config();
        return QueueDescription.newBuilder()
                .setName(definition.name())
                .setTopic(definition.topic())
                .setDlqTopic(config.dlqTopic(definition.topic()))
                .putAllConfig(config.effectiveAsStrings())
                .setCreatedMs(definition.createdMs())
                .build();
    }

    /** Changes a queue's settings; returns them all. Blocking. */
    public synchronized Map<String, String> alter(String name, Map<String, String> set, List<String> reset) {
        QueueDefinition definition = definitions.get(name);
        if (definition == null) {
            throw unknown(name);
        }
        QueueConfig next = definition.config().alter(set, reset);
        requireValidDlq(next, definition.topic());
        QueueDefinition altered = definition.withOverrides(next.overridesAsStrings());
        MetaWrites.Builder writes = MetaWrites.builder();
        store.putDefinition(writes, altered);
        await(store.meta().write(writes.build(), true));
        definitions.put(name, altered);
        SharedQueue queue = active.get(name);
        if (queue != null) {
            queue.configure(altered);
        }
        return next.effectiveAsStrings();
    }

    /** Deletes a queue and its state; QUEUE_IN_USE while workers are subscribed. Blocking. */
    public synchronized void delete(String name) {
        if (!definitions.containsKey(name)) {
            throw unknown(name);
        }
        SharedQueue queue = active.get(name);
        if (queue != null) {
            if (!queue.stopIfIdle().join()) {
                throw new SluiceException(ErrorCode.QUEUE_IN_USE, "Queue '" + name + "' has workers subscribed; "
                        + "stop them before deleting it");
            }
            queue.quiesced().join();
            active.remove(name, queue);
        }
        CompletableFuture<Void> previous = stopping.remove(name);
        if (previous != null) {
            previous.exceptionally(e -> null).join();
        }
        MetaWrites.Builder writes = MetaWrites.builder();
        store.deleteQueue(writes, name, false);
        await(store.meta().write(writes.build(), true));
        definitions.remove(name);
        log.info("deleted queue {}", name);
    }

    /** Dead letters of a dead-letter topic. Blocking. */
    public List<DeadLetter> peekDeadLetters(String topic, int max, boolean fromBeginning) {
        if (max < 0 || max > 10_000) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "max must be between 0 and 10000; got " + max);
        }
        return deadLetters.peek(topic, max == 0 ? 100 : max, fromBeginning);
    }

    /** Moves dead letters back; returns how many. Blocking. */
    public long redriveDeadLetters(String topic, String toTopic, long max) {
        if (max < 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "max must be >= 0 (0: all); got " + max);
        }
        long moved = deadLetters.redrive(topic, toTopic, max);
        log.info("redrove {} dead letters of {} to {}", moved, topic, toTopic.isEmpty() ? "their original topics" : toTopic);
        return moved;
    }

    /**
     * Ends every worker's stream with UNAVAILABLE (broker shutdown) and waits, up to {@code timeout}, until the
     * queues stored the changes made so far. Call it before the log writer closes.
     */
    public void closeAll(Duration timeout) {
        closed = true;
        SluiceException reason = new SluiceException(ErrorCode.BROKER_UNAVAILABLE, "The broker is shutting down");
        List<SharedQueue> queues = List.copyOf(active.values());
        queues.forEach(q -> q.shutdown(reason));
        try {
            CompletableFuture.allOf(queues.stream().map(SharedQueue::quiesced).toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("queues did not store their last changes within {}", timeout);
        }
    }

    private static SluiceException unknown(String name) {
        return new SluiceException(ErrorCode.UNKNOWN_QUEUE, "Queue '" + name + "' does not exist");
    }

    private static SluiceException violation(String message) {
        return new SluiceException(ErrorCode.PROTOCOL_VIOLATION, message);
    }

    private static void await(CompletableFuture<Void> write) {
        try {
            write.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }
}
