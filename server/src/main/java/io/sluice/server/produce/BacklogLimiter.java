package io.sluice.server.produce;

import io.sluice.proto.v1.ErrorCode;
import io.sluice.server.config.TopicConfig;
import io.sluice.server.error.SluiceException;
import io.sluice.server.log.Backlog;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import io.sluice.server.log.TopicPartition;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Applies a topic's backlog limits (backlog.max.records, backlog.max.bytes, per partition) with its
 * backlog.policy: reject refuses a batch that would pass a limit; block makes producers wait while a
 * partition is at a limit. What the backlog is, is {@link Backlog}'s business.
 */
public final class BacklogLimiter {
    /** Retry hint for a rejected batch: there is no consumption-rate estimate yet. */
    static final long RETRY_AFTER_MS = 1000;

    private final LogManager logs;
    private final Backlog backlog;
    private final Duration recheck;
    private final Scheduler timer;
    /** Records and bytes admitted and not yet appended, per partition: they count as backlog already. */
    private final Map<TopicPartition, Pending> pending = new ConcurrentHashMap<>();

    private record Pending(AtomicLong records, AtomicLong bytes) {
    }

    public BacklogLimiter(LogManager logs, Backlog backlog, Duration recheck, Scheduler timer) {
        this.logs = logs;
        this.backlog = backlog;
        this.recheck = recheck;
        this.timer = timer;
    }

    /**
     * Admits a batch about to be appended: with backlog.policy=reject, refuses it (the error) if it would take
     * the partition's backlog past a limit; otherwise counts it as backlog until {@link #appended} is called.
     */
    public Optional<SluiceException> admit(Topic topic, PartitionLog log, long records, long bytes) {
        TopicConfig config = topic.config();
        if (!config.hasBacklogLimit()) {
            return Optional.empty();
        }
        Pending inFlight = pending.computeIfAbsent(log.id(), id -> new Pending(new AtomicLong(), new AtomicLong()));
        if (config.backlogBlocks()) {
            inFlight.records().addAndGet(records);
            inFlight.bytes().addAndGet(bytes);
            return Optional.empty();
        }
        // Reserve first, then check with the reservation counted: two racing batches cannot both squeeze in.
        long pendingRecords = inFlight.records().addAndGet(records) - records;
        long pendingBytes = inFlight.bytes().addAndGet(bytes) - bytes;
        Optional<SluiceException> refused = rejection(config, log, pendingRecords, pendingBytes, records, bytes);
        if (refused.isPresent()) {
            appended(topic, log, records, bytes);
        }
        return refused;
    }

    /** The admitted batch is appended (or failed): it no longer counts as pending. */
    public void appended(Topic topic, PartitionLog log, long records, long bytes) {
        Pending inFlight = pending.get(log.id());
        if (inFlight != null) {
            inFlight.records().addAndGet(-records);
            inFlight.bytes().addAndGet(-bytes);
        }
    }

    private Level level(PartitionLog log) {
        Backlog.Level level = backlog.of(log);
        Pending inFlight = pending.get(log.id());
        return inFlight == null ? new Level(level.records(), level.bytes())
                : new Level(level.records() + inFlight.records().get(), level.bytes() + inFlight.bytes().get());
    }

    private record Level(long records, long bytes) {
    }

    private Optional<SluiceException> rejection(TopicConfig config, PartitionLog log, long pendingRecords, long pendingBytes,
                                                long records, long bytes) {
        Backlog.Level stored = backlog.of(log);
        Level level = new Level(stored.records() + pendingRecords, stored.bytes() + pendingBytes);
        String limit = null;
        long max = config.backlogMaxRecords();
        if (max >= 0 && level.records() + records > max) {
            limit = TopicConfig.BACKLOG_MAX_RECORDS + "=" + max + " (backlog " + level.records() + " records, batch " + records + ")";
        } else if (config.backlogMaxBytes() >= 0 && level.bytes() + bytes > config.backlogMaxBytes()) {
            limit = TopicConfig.BACKLOG_MAX_BYTES + "=" + config.backlogMaxBytes() + " (backlog ~" + level.bytes()
                    + " bytes, batch " + bytes + ")";
        }
        if (limit == null) {
            return Optional.empty();
        }
        return Optional.of(new SluiceException(ErrorCode.LIMIT_EXCEEDED, "Backlog limit reached on " + log.id() + ": "
                + limit + " with backlog.policy=reject; consumers must commit further before more is accepted. "
                + "Retry after " + RETRY_AFTER_MS + " ms", RETRY_AFTER_MS));
    }

    /**
     * With backlog.policy=block: how much more the partition may take before its backlog reaches a limit
     * (never negative); null when the topic does not block.
     */
    public CreditWindow headroom(Topic topic, PartitionLog log) {
        TopicConfig config = topic.config();
        if (!config.hasBacklogLimit() || !config.backlogBlocks()) {
            return null;
        }
        Level level = level(log);
        long records = config.backlogMaxRecords() < 0 ? Long.MAX_VALUE : Math.max(0, config.backlogMaxRecords() - level.records());
        long bytes = config.backlogMaxBytes() < 0 ? Long.MAX_VALUE : Math.max(0, config.backlogMaxBytes() - level.bytes());
        return new CreditWindow(records, bytes);
    }

    /** Whether the partition's topic blocks and its backlog is at a limit. */
    public boolean full(Topic topic, PartitionLog log) {
        CreditWindow room = headroom(topic, log);
        return room != null && (room.records() == 0 || room.bytes() == 0);
    }

    /**
     * Completes once the partition (or, with {@code partition} < 0, every partition of the topic) is below
     * its backlog limits; at once when the topic does not block. Checked every recheck interval, on a timer.
     */
    public Mono<Void> awaitRoom(String topicName, int partition) {
        Optional<Topic> found = logs.find(topicName);
        if (found.isEmpty() || !found.get().config().backlogBlocks() || !found.get().config().hasBacklogLimit()) {
            return Mono.empty();
        }
        Topic topic = found.get();
        if (partition >= topic.partitionCount()) {
            return Mono.empty(); // the handler reports the bad partition
        }
        List<PartitionLog> watched = partition >= 0 ? List.of(topic.partition(partition)) : topic.partitions();
        if (watched.stream().noneMatch(log -> full(topic, log))) {
            return Mono.empty();
        }
        return Flux.interval(recheck, timer)
                .onBackpressureDrop()
                .filter(tick -> topic.partitions().get(0).deleted() || watched.stream().noneMatch(log -> full(topic, log)))
                .next()
                .then();
    }
}
