package io.sluice.server.queue;

import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.OutcomeError;
import io.sluice.proto.v1.QueueDescription;
import io.sluice.proto.v1.QueueOutcomes;
import io.sluice.proto.v1.QueueOutcomesResult;
import io.sluice.proto.v1.QueuePartitionDescription;
import io.sluice.proto.v1.QueueRecord;
import io.sluice.proto.v1.QueueSubscribed;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.proto.v1.RecordOutcome;
import io.sluice.proto.v1.Subscribe;
import io.sluice.server.config.QueueConfig;
import io.sluice.server.error.SluiceException;
import io.sluice.server.log.MetaWrites;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.Topic;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One queue at work: its partitions' windows, its workers' streams, the locks and the delays. Everything
 * happens on one worker of the storage read scheduler (events are posted to it), so the state needs no
 * locks and the blocking log reads never touch a gRPC thread.
 *
 * <p>State changes (deliveries, settlements, retries) are stored in the background, one write at a time:
 * changes made while a write is in progress go into the next one. An ack is answered once the write holding
 * it is stored. Dead letters are appended to the dead-letter topic in the same write as the state that says
 * their records are settled. If a write fails, the queue stops (its streams end with BROKER_UNAVAILABLE)
 * and the next subscriber loads it again from what was stored.
 */
final class SharedQueue {
    private static final Logger log = LoggerFactory.getLogger(SharedQueue.class);
    /**
     * The longest the queue sleeps while a lock or delay is pending: exact wakes follow the clock, and this
     * bound lets a clock moved by hand (tests) take effect soon.
     */
    private static final long MAX_TIMER_WAIT_MS = 100;
    /** Longest NACK delay or EXTEND accepted. */
    private static final long MAX_DELAY_MS = 24L * 60 * 60 * 1000;
    /** Most dead-letter bytes per partition in one write; more wait for the next. */
    private static final long MAX_DEAD_LETTER_BYTES = 1 << 20;

    final String name;
    private final QueueService service;
    private final Scheduler.Worker worker;
    private final Clock clock;
    private final QueueStore store;
    private final Topic topic;
    private final QueueService.Meters meters;
    private QueueDefinition definition;
    private QueueConfig config;
    /** Null until the stored state is loaded. */
    private List<PartitionQueue> partitions;
    private final List<QueueStream> streams = new ArrayList<>();
    /** Locked and delayed entries by due time. */
    private final TreeSet<Entry> timers = new TreeSet<>(Comparator.comparingLong((Entry e) -> e.timerDueMs)
            .thenComparingInt(e -> e.partition.partition)
            .thenComparingLong(e -> e.offset));
    private QueueChanges pending = new QueueChanges();
    private QueueChanges writing;
    private boolean stopped;
    /** Stopped for a clean shutdown: the pending changes are still stored. */
    private boolean storeOnStop;
    private SluiceException stopReason;
    private final CompletableFuture<Void> quiesced = new CompletableFuture<>();
    private final AtomicBoolean dispatchScheduled = new AtomicBoolean();
    private Disposable timer;
    private long timerDueNanos;
    private final List<Disposable> appendListeners = new ArrayList<>();
    private int nextStream;
    private int nextPartition;

    SharedQueue(QueueService service, QueueDefinition definition, Topic topic, Scheduler scheduler, Clock clock,
                QueueStore store, QueueService.Meters meters) {
        this.name = definition.name();
        this.service = service;
        this.definition = definition;
        this.config = definition.config();
        this.topic = topic;
        this.worker = scheduler.createWorker();
        this.clock = clock;
        this.store = store;
        this.meters = meters;
        quiesced.whenComplete((done, error) -> worker.dispose());
    }

    // ---- events from outside, posted to the worker ----

    /** The stream of a worker that subscribed; {@code requests} are the ones after its Subscribe. */
    Flux<ConsumeResponse> attach(Subscribe subscribe, boolean created, Flux<ConsumeRequest> requests) {
        return Flux.create(sink -> {
            QueueStream stream = new QueueStream(sink);
            if (!post(() -> join(stream, subscribe, created))) {
                // This queue instance stopped (deleted, or failed) between lookup and subscribe: say so
                // rather than leave the stream unanswered.
                sink.error(new SluiceException(ErrorCode.BROKER_UNAVAILABLE, "Queue '" + name
                        + "' was stopped or is reloading; subscribe again").toStatus());
                return;
            }
            Disposable inbound = requests.subscribe(
                    request -> post(() -> onRequest(stream, request)),
                    error -> post(() -> leave(stream, null)),
                    () -> post(() -> leave(stream, null)));
            sink.onRequest(n -> scheduleDispatch());
            sink.onDispose(() -> {
                inbound.dispose();
                post(() -> leave(stream, null));
            });
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    Mono<QueueDescription> describe(boolean perPartition) {
        return onWorker(() -> {
            ensureLoaded();
            dispatch();
            return description(perPartition);
        });
    }

    /** New settings (AlterQueue); they apply at once. */
    void configure(QueueDefinition next) {
        post(() -> {
            boolean reorder = next.config().keyOrdered() != config.keyOrdered();
            definition = next;
            config = next.config();
            if (reorder && partitions != null) {
                partitions.forEach(p -> {
                    p.ready.clear();
                    p.window.values().stream().filter(e -> e.state == Entry.State.AVAILABLE).forEach(this::makeReadyIfItsTurn);
                });
            }
            dispatch();
        });
    }

    /** Stops the queue if no worker is subscribed (for deletion); completes with whether it stopped. */
    CompletableFuture<Boolean> stopIfIdle() {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        if (!post(() -> {
            if (!streams.isEmpty()) {
                answer.complete(false);
                return;
            }
            stop(new SluiceException(ErrorCode.UNKNOWN_QUEUE, "Queue '" + name + "' was deleted"), false);
            answer.complete(true);
        })) {
            answer.complete(true);
        }
        return answer;
    }

    /**
     * Ends every stream (broker shutdown). The changes made so far are still stored, so that a clean restart
     * loses no delivery count; the records the streams held are not released, as after a crash.
     */
    void shutdown(SluiceException reason) {
        if (!post(() -> stop(reason, true))) {
            quiesced.complete(null);
        }
    }

    /** Completes once the queue stopped and its last write is done. */
    CompletableFuture<Void> quiesced() {
        return quiesced;
    }

    // ---- on the worker ----

    private void join(QueueStream stream, Subscribe subscribe, boolean created) {
        if (stream.closed) {
            return;
        }
        if (stopped) {
            stream.closed = true;
            stream.out.error(stopReason.toStatus());
            return;
        }
        try {
            ensureLoaded();
        } catch (RuntimeException e) {
            fail(e);
            stream.closed = true;
            stream.out.error(stopReason.toStatus());
            return;
        }
        try {
            if (subscribe.hasInitialCredit()) {
                stream.addCredit(subscribe.getInitialCredit());
            }
        } catch (RuntimeException e) {
            stream.closed = true;
            stream.out.error(SluiceException.from(e).toStatus());
            return;
        }
        stream.joined = true;
        streams.add(stream);
        if (streams.size() == 1) {
            partitions.forEach(p -> appendListeners.add(p.log.onAppend(this::scheduleDispatch)));
        }
        stream.out.next(ConsumeResponse.newBuilder().setQueueSubscribed(QueueSubscribed.newBuilder()
                .setQueue(name)
                .setTopic(topic.name())
                .setCreated(created)
                .putAllConfig(config.effectiveAsStrings())
                .setDlqTopic(config.dlqTopic(topic.name()))).build());
        dispatch();
    }

    private void onRequest(QueueStream stream, ConsumeRequest request) {
        if (stream.closed || stopped) {
            return;
        }
        try {
            switch (request.getRequestCase()) {
                case CREDIT -> stream.addCredit(request.getCredit());
                case OUTCOMES -> outcomes(stream, request.getOutcomes());
                case SUBSCRIBE -> throw violation("Subscribe may be sent only once, as the first message of the stream");
                default -> throw violation("In queue mode a ConsumeRequest carries credit or outcomes; got "
                        + request.getRequestCase());
            }
        } catch (SluiceException e) {
            leave(stream, e);
            return;
        }
        dispatch();
    }

    /** The stream ended (or failed): its records go back to the queue at once. */
    private void leave(QueueStream stream, SluiceException error) {
        if (stream.closed) {
            return;
        }
        stream.closed = true;
        streams.remove(stream);
        if (error == null) {
            stream.out.complete();
        } else {
            stream.out.error(error.toStatus());
        }
        if (stopped) {
            return;
        }
        long now = clock.millis();
        for (Entry entry : List.copyOf(stream.held)) {
            failDelivery(entry, "the worker's stream closed", 0, now);
        }
        if (streams.isEmpty()) {
            appendListeners.forEach(Disposable::dispose);
            appendListeners.clear();
        }
        dispatch();
    }

    private void outcomes(QueueStream stream, QueueOutcomes request) {
        long now = clock.millis();
        QueueOutcomesResult.Builder result = QueueOutcomesResult.newBuilder().setId(request.getId());
        boolean store = false;
        for (RecordOutcome outcome : request.getOutcomesList()) {
            SluiceException problem = null;
            try {
                store |= apply(stream, outcome, now);
            } catch (SluiceException e) {
                problem = e;
            }
            if (problem != null) {
                result.addErrors(OutcomeError.newBuilder()
                        .setTopic(outcome.getTopic())
                        .setPartition(outcome.getPartition())
                        .setOffset(outcome.getOffset())
                        .setError(problem.code())
                        .setMessage(problem.getMessage()));
            }
        }
        if (request.getId() == 0) {
            return;
        }
        ConsumeResponse answer = ConsumeResponse.newBuilder().setOutcomesResult(result).build();
        if (store) {
            pending.answer(() -> {
                if (!stream.closed) {
                    stream.out.next(answer);
                }
            });
        } else {
            stream.out.next(answer);
        }
    }

    /** Applies one outcome; true if it changes stored state. Throws for an outcome that cannot apply. */
    private boolean apply(QueueStream stream, RecordOutcome outcome, long now) {
        if (!outcome.getTopic().equals(topic.name())) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "Queue '" + name + "' reads topic '" + topic.name()
                    + "', not '" + outcome.getTopic() + "'");
        }
        if (outcome.getPartition() < 0 || outcome.getPartition() >= partitions.size()) {
            throw new SluiceException(ErrorCode.INVALID_PARTITION, "Partition " + outcome.getPartition()
                    + " does not exist in topic '" + topic.name() + "'");
        }
        PartitionQueue partition = partitions.get(outcome.getPartition());
        Entry entry = partition.window.get(outcome.getOffset());
        boolean held = entry != null && entry.state == Entry.State.LOCKED && entry.holder == stream;
        // A record whose lock lapsed may still be acked or rejected, as long as no other worker took it.
        boolean lapsed = entry != null && entry.deliveries > 0
                && (entry.state == Entry.State.AVAILABLE || entry.state == Entry.State.DELAYED);
        switch (outcome.getType()) {
            case OUTCOME_TYPE_ACK -> {
                requireHeld(held || lapsed, partition, outcome.getOffset(), entry);
                settle(entry, null);
                meters.acked().increment();
                return true;
            }
            case OUTCOME_TYPE_REJECT -> {
                requireHeld(held || lapsed, partition, outcome.getOffset(), entry);
                entry.lastFailure = QueueStore.reason(outcome.getReason().isEmpty() ? "rejected by a worker" : outcome.getReason());
                settle(entry, entry.lastFailure);
                return true;
            }
            case OUTCOME_TYPE_NACK -> {
                requireHeld(held, partition, outcome.getOffset(), entry);
                long delay = outcome.hasDelayMs() ? delay(outcome.getDelayMs()) : config.backoffMs(entry.deliveries);
                meters.nacked().increment();
                failDelivery(entry, outcome.getReason().isEmpty() ? "nacked by a worker" : outcome.getReason(), delay, now);
                return true;
            }
            case OUTCOME_TYPE_EXTEND -> {
                requireHeld(held, partition, outcome.getOffset(), entry);
                long duration = outcome.getDelayMs() > 0 ? delay(outcome.getDelayMs()) : config.lockTimeout().toMillis();
                setTimer(entry, now + duration);
                entry.lockExpiresMs = now + duration;
                return false;
            }
            default -> throw new SluiceException(ErrorCode.INVALID_REQUEST, "Outcome of offset " + outcome.getOffset()
                    + " has no type: set ACK, NACK, REJECT or EXTEND");
        }
    }

    private static long delay(long ms) {
        if (ms < 0 || ms > MAX_DELAY_MS) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "delay_ms must be between 0 and " + MAX_DELAY_MS
                    + "; got " + ms);
        }
        return ms;
    }

    private void requireHeld(boolean ok, PartitionQueue partition, long offset, Entry entry) {
        if (ok) {
            return;
        }
        String where = "Record " + partition.log.id() + "@" + offset;
        String why;
        if (entry == null) {
            why = offset >= partition.readPos ? "was never delivered" : "is settled already";
        } else {
            why = switch (entry.state) {
                case SETTLING -> "is settled already";
                case LOCKED -> "is locked to another worker: this worker's lock lapsed";
                case AVAILABLE, DELAYED -> entry.deliveries == 0 ? "was never delivered" : "is not locked to this worker: its lock lapsed";
            };
        }
        throw new SluiceException(ErrorCode.LOCK_LOST, where + " " + why);
    }

    /** Processes due timers, reads ahead, hands records to workers with credit, stores changes, and sleeps till the next due time. */
    private void dispatch() {
        if (stopped || partitions == null) {
            return;
        }
        try {
            if (partitions.get(0).log.deleted()) {
                throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "Topic '" + topic.name() + "' of queue '" + name
                        + "' was deleted");
            }
            long now = clock.millis();
            runTimers(now);
            if (!streams.isEmpty()) {
                for (PartitionQueue partition : partitions) {
                    for (Entry entry : partition.refill(config.windowRecords(), config.windowBytes())) {
                        if (entry.notBeforeMs > now) {
                            entry.state = Entry.State.DELAYED;
                            setTimer(entry, entry.notBeforeMs);
                        } else {
                            makeAvailable(entry);
                        }
                    }
                }
                deliver(now);
            }
            write();
            armTimer(now);
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void runTimers(long now) {
        while (!timers.isEmpty() && timers.first().timerDueMs <= now) {
            Entry entry = timers.pollFirst();
            entry.timed = false;
            if (entry.state == Entry.State.LOCKED) {
                meters.lockExpired().increment();
                failDelivery(entry, "lock timed out after " + config.lockTimeout().toMillis() + " ms", 0, now);
            } else if (entry.state == Entry.State.DELAYED) {
                makeAvailable(entry);
            }
        }
    }

    private void deliver(long now) {
        if (partitions.stream().allMatch(p -> p.ready.isEmpty())) {
            return;
        }
        int idle = 0;
        while (idle < streams.size()) {
            int at = nextStream % streams.size();
            nextStream = at + 1;
            QueueStream stream = streams.get(at);
            Entry entry = stream.hasCredit() ? nextReady(stream) : null;
            if (entry == null) {
                idle++;
                continue;
            }
            idle = 0;
            if (entry.deliveries >= config.maxDeliveryAttempts()) {
                // Delivered as often as allowed before a restart: its last delivery ended without an outcome.
                settle(entry, entry.lastFailure.isEmpty() ? "delivered " + entry.deliveries + " times" : entry.lastFailure);
                continue;
            }
            send(stream, entry, now);
        }
        streams.forEach(QueueStream::flush);
    }

    /** The lowest ready offset of the next partition (round-robin) whose record fits the stream's credit. */
    private Entry nextReady(QueueStream stream) {
        for (int i = 0; i < partitions.size(); i++) {
            int at = (nextPartition + i) % partitions.size();
            Map.Entry<Long, Entry> first = partitions.get(at).ready.firstEntry();
            if (first != null && stream.fits(first.getValue().bytes)) {
                nextPartition = at + 1;
                return first.getValue();
            }
        }
        return null;
    }

    private void send(QueueStream stream, Entry entry, long now) {
        entry.partition.ready.remove(entry.offset);
        long lockMs = config.lockTimeout().toMillis();
        entry.state = Entry.State.LOCKED;
        entry.holder = stream;
        entry.deliveries++;
        entry.lockExpiresMs = now + lockMs;
        setTimer(entry, entry.lockExpiresMs);
        stream.held.add(entry);
        pending.row(entry);
        meters.delivered().increment();
        stream.deliver(QueueRecord.newBuilder()
                .setTopic(topic.name())
                .setPartition(entry.partition.partition)
                .setOffset(entry.offset)
                .setRecord(entry.record)
                .setDeliveryCount(entry.deliveries)
                .setLockTimeoutMs(lockMs)
                .setLastFailure(entry.lastFailure)
                .build(), entry.bytes);
    }

    /** A delivery ended without an ACK: the record goes back (after {@code delayMs}), or to the dead-letter topic. */
    private void failDelivery(Entry entry, String reason, long delayMs, long now) {
        release(entry);
        entry.lastFailure = QueueStore.reason(reason);
        if (entry.deliveries >= config.maxDeliveryAttempts()) {
            settle(entry, entry.lastFailure);
            return;
        }
        pending.row(entry);
        if (delayMs > 0) {
            entry.state = Entry.State.DELAYED;
            entry.notBeforeMs = now + delayMs;
            setTimer(entry, entry.notBeforeMs);
        } else {
            makeAvailable(entry);
        }
    }

    /** Acked ({@code deadLetterReason} null) or dead-lettered: it leaves the queue once that is stored. */
    private void settle(Entry entry, String deadLetterReason) {
        release(entry);
        entry.partition.ready.remove(entry.offset);
        entry.state = Entry.State.SETTLING;
        entry.deadLetterReason = deadLetterReason;
        pending.settle(entry);
        if (deadLetterReason != null) {
            meters.deadLettered().increment();
        }
        // The key's next record may go now: the settlement can only fail with the whole queue.
        Entry next = entry.partition.leaveKeyLine(entry);
        if (next != null && next.state == Entry.State.AVAILABLE) {
            makeReadyIfItsTurn(next);
        }
    }

    private void release(Entry entry) {
        clearTimer(entry);
        if (entry.holder != null) {
            entry.holder.held.remove(entry);
            entry.holder = null;
        }
    }

    private void makeAvailable(Entry entry) {
        clearTimer(entry);
        entry.state = Entry.State.AVAILABLE;
        entry.notBeforeMs = 0;
        makeReadyIfItsTurn(entry);
    }

    private void makeReadyIfItsTurn(Entry entry) {
        if (!config.keyOrdered() || entry.partition.firstOfKey(entry)) {
            entry.partition.ready.put(entry.offset, entry);
        }
    }

    private void setTimer(Entry entry, long dueMs) {
        clearTimer(entry);
        entry.timerDueMs = dueMs;
        entry.timed = true;
        timers.add(entry);
    }

    private void clearTimer(Entry entry) {
        if (entry.timed) {
            timers.remove(entry);
            entry.timed = false;
        }
    }

    private void armTimer(long now) {
        if (timers.isEmpty()) {
            return;
        }
        long delayMs = Math.max(1, Math.min(MAX_TIMER_WAIT_MS, timers.first().timerDueMs - now));
        long dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
        if (timer != null && timerDueNanos - dueNanos <= 0) {
            return;
        }
        if (timer != null) {
            timer.dispose();
        }
        timerDueNanos = dueNanos;
        try {
            timer = worker.schedule(() -> {
                timer = null;
                dispatch();
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            timer = null;
        }
    }

    /** Starts storing the pending changes, unless a write is in progress (then they go next). */
    private void write() {
        if (writing != null || pending.isEmpty() || (stopped && !storeOnStop)) {
            return;
        }
        QueueChanges changes = pending;
        pending = new QueueChanges();
        writing = changes;
        long now = clock.millis();
        List<CompletableFuture<?>> writes = new ArrayList<>();
        MetaWrites.Builder plain = MetaWrites.builder();
        for (PartitionQueue partition : partitions) {
            List<Entry> deadLetters = changes.deadLetters(partition, MAX_DEAD_LETTER_BYTES, pending);
            // A partition with dead letters writes its state with their append, in the same atomic write.
            MetaWrites.Builder writesOfPartition = deadLetters.isEmpty() ? plain : MetaWrites.builder();
            partition.addWrites(store, name, writesOfPartition, changes.settling(partition), changes.rows(partition),
                    deadLetters.size());
            if (!deadLetters.isEmpty()) {
                writes.add(service.deadLetters().append(config.dlqTopic(topic.name()), topic.partitionCount(),
                        partition.partition, deadLetters.stream().map(e -> DeadLetters.deadLetter(e, name, now)).toList(),
                        writesOfPartition.build()));
            }
        }
        if (!plain.isEmpty()) {
            writes.add(store.meta().write(plain.build(), topic.config().fsync()));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                .whenComplete((done, error) -> {
                    if (!post(() -> written(changes, error))) {
                        quiesced.complete(null);
                    }
                });
    }

    private void written(QueueChanges changes, Throwable error) {
        writing = null;
        if (stopped) {
            if (storeOnStop && error == null && !pending.isEmpty()) {
                write();
            } else {
                quiesced.complete(null);
            }
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            fail(new SluiceException(ErrorCode.BROKER_UNAVAILABLE, "Queue '" + name + "' could not store its state: "
                    + cause.getMessage(), cause));
            return;
        }
        changes.settling().forEach((partition, entries) -> {
            for (Entry entry : entries) {
                partition.remove(entry);
                if (entry.deadLetterReason != null) {
                    partition.deadLettered++;
                }
            }
        });
        changes.answers().forEach(Runnable::run);
        dispatch();
    }

    private void ensureLoaded() {
        if (partitions != null) {
            return;
        }
        List<PartitionQueue> loaded = new ArrayList<>();
        for (PartitionLog partitionLog : topic.partitions()) {
            int p = partitionLog.id().partition();
            QueueStore.PartitionState state = store.partition(name, p);
            if (state == null) {
                state = new QueueStore.PartitionState(partitionLog.startOffset(), 0, new OffsetRanges());
            }
            loaded.add(new PartitionQueue(p, partitionLog, state, store.rows(name, p)));
        }
        partitions = loaded;
    }

    private QueueDescription description(boolean perPartition) {
        long now = clock.millis();
        QueueDescription.Builder out = QueueDescription.newBuilder()
                .setName(name)
                .setTopic(topic.name())
                .setDlqTopic(config.dlqTopic(topic.name()))
                .putAllConfig(config.effectiveAsStrings())
                .setWorkers(streams.size())
                .setCreatedMs(definition.createdMs());
        long oldest = Long.MAX_VALUE;
        for (PartitionQueue partition : partitions) {
            long inFlight = 0;
            long delayed = 0;
            long partitionOldest = Long.MAX_VALUE;
            for (Entry entry : partition.window.values()) {
                switch (entry.state) {
                    case LOCKED -> inFlight++;
                    case DELAYED -> delayed++;
                    default -> {
                    }
                }
                if (entry.state != Entry.State.SETTLING) {
                    partitionOldest = Math.min(partitionOldest, entry.appendTimeMs);
                }
            }
            long backlog = partition.backlog();
            if (partitionOldest == Long.MAX_VALUE && backlog > 0) {
                partitionOldest = appendTimeAt(partition.log, partition.readPos);
            }
            oldest = Math.min(oldest, partitionOldest);
            out.setBacklog(out.getBacklog() + backlog)
                    .setInFlight(out.getInFlight() + inFlight)
                    .setDelayed(out.getDelayed() + delayed)
                    .setDeadLettered(out.getDeadLettered() + partition.deadLettered);
            if (perPartition) {
                out.addPartitions(QueuePartitionDescription.newBuilder()
                        .setPartition(partition.partition)
                        .setSettledUpTo(partition.floor())
                        .setHighWatermark(partition.log.highWatermark())
                        .setBacklog(backlog)
                        .setInFlight(inFlight)
                        .setDelayed(delayed)
                        .setDeadLettered(partition.deadLettered));
            }
        }
        return out.setOldestAgeMs(oldest == Long.MAX_VALUE ? 0 : Math.max(0, now - oldest)).build();
    }

    /** The append time of the batch holding {@code offset}, or MAX_VALUE if there is none. Blocking. */
    private static long appendTimeAt(PartitionLog partitionLog, long offset) {
        List<RecordBatch> batches = partitionLog.read(offset, 1, 1).batches();
        return batches.isEmpty() ? Long.MAX_VALUE : batches.get(0).getAppendTimeMs();
    }

    /** Stops the queue because of an error: streams end, the service loads it afresh for the next subscriber. */
    private void fail(Throwable error) {
        if (stopped) {
            return;
        }
        SluiceException reason = SluiceException.from(error);
        if (reason.code() == ErrorCode.INTERNAL_ERROR) {
            log.error("queue {} failed", name, error);
        } else {
            log.warn("queue {} stopped: {}", name, reason.getMessage());
        }
        stop(reason.code() == ErrorCode.UNKNOWN_TOPIC ? reason : new SluiceException(ErrorCode.BROKER_UNAVAILABLE,
                "Queue '" + name + "' stopped and will be reloaded; subscribe again: " + reason.getMessage(), error), false);
        service.forget(this);
    }

    private void stop(SluiceException reason, boolean storePending) {
        if (stopped) {
            return;
        }
        stopped = true;
        storeOnStop = storePending && partitions != null;
        stopReason = reason;
        for (QueueStream stream : List.copyOf(streams)) {
            stream.closed = true;
            stream.out.error(reason.toStatus());
        }
        streams.clear();
        appendListeners.forEach(Disposable::dispose);
        appendListeners.clear();
        if (timer != null) {
            timer.dispose();
        }
        if (storeOnStop) {
            write();
        }
        if (writing == null) {
            quiesced.complete(null);
        }
    }

    private void scheduleDispatch() {
        if (dispatchScheduled.compareAndSet(false, true)) {
            post(() -> {
                dispatchScheduled.set(false);
                dispatch();
            });
        }
    }

    /** Runs the task on the queue's worker; false if the worker is gone. */
    private boolean post(Runnable task) {
        try {
            worker.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    fail(e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private <T> Mono<T> onWorker(java.util.concurrent.Callable<T> work) {
        return Mono.create(sink -> {
            if (!post(() -> {
                if (stopped) {
                    sink.error(new SluiceException(ErrorCode.BROKER_UNAVAILABLE, "Queue '" + name + "' is reloading; try again"));
                    return;
                }
                try {
                    sink.success(work.call());
                } catch (Exception e) {
                    sink.error(e);
                }
            })) {
                sink.error(new SluiceException(ErrorCode.BROKER_UNAVAILABLE, "Queue '" + name + "' is reloading; try again"));
            }
        });
    }

    private static SluiceException violation(String message) {
        return new SluiceException(ErrorCode.PROTOCOL_VIOLATION, message);
    }
}
