package io.sluice.server.consume;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.codec.CorruptBatchException;
import io.sluice.proto.v1.Compression;
import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.OffsetReset;
import io.sluice.proto.v1.PartitionPosition;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.proto.v1.RecordFormat;
import io.sluice.proto.v1.RecordSet;
import io.sluice.proto.v1.StartPosition;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.Subscribed;
import io.sluice.proto.v1.TopicSubscription;
import io.sluice.proto.v1.Assignment;
import io.sluice.proto.v1.CommitRequest;
import io.sluice.proto.v1.CommitResult;
import io.sluice.proto.v1.GroupMembership;
import io.sluice.proto.v1.Keepalive;
import io.sluice.proto.v1.PartitionRef;
import io.sluice.proto.v1.RevokeDone;
import io.sluice.server.error.SluiceException;
import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.group.GroupNames;
import io.sluice.server.group.MemberChannel;
import io.sluice.server.group.Membership;
import io.sluice.server.log.TopicPartition;
import java.time.Duration;
import java.util.HashMap;
import reactor.core.publisher.Mono;
import io.sluice.server.log.LogReadResult;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.Topic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Scheduler;

/**
 * One Consume stream. All of its state lives on one worker of the storage read scheduler, so it needs
 * no locks, and the blocking log reads it makes never touch a gRPC thread. Every event (a request, new
 * credit, an append, network demand) just schedules a drain; the drain sends while the consumer has
 * credit, the network has demand and a partition has data.
 */
final class ConsumeSession {
    /** Most payload bytes read from the log in one go for one partition. */
    private static final long MAX_READ_BYTES = 1 << 20;

    private final ConsumeService service;
    private final Scheduler.Worker worker;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final List<Cursor> cursors = new ArrayList<>();
    private FluxSink<ConsumeResponse> out;
    private boolean subscribed;
    private boolean finished;
    private RecordFormat format = RecordFormat.RECORD_FORMAT_ENCODED;
    /** Where a partition goes when its position is not in the log (at subscribe time, or deleted later). */
    private OffsetReset reset = OffsetReset.OFFSET_RESET_NONE;
    private long recordCredit;
    private long byteCredit;
    /**
     * Whether anything was sent since the last credit grant. A record larger than the byte credit left is
     * sent only when nothing was: then the grant itself is smaller than the record, and waiting would stall
     * the consumer forever. Otherwise the broker waits for the consumer to grant more.
     */
    private boolean sentSinceGrant;
    private int nextCursor;
    private final String clientId;
    private final CreditLedger ledger;
    /** A drain is scheduled for when a consume quota allows more: no polling while in debt. */
    private boolean quotaWakeScheduled;
    /** Group mode: where partitions without a committed offset start. */
    private StartPosition start = StartPosition.getDefaultInstance();
    /** Group mode: this stream's membership, once the coordinator answered the join. */
    private Membership membership;
    private boolean groupMode;
    /** Commits stored but not yet answered: a half-closed stream ends only once they are. */
    private int pendingCommits;
    private boolean halfClosed;

    ConsumeSession(ConsumeService service, Scheduler scheduler, String clientId) {
        this.service = service;
        this.worker = scheduler.createWorker();
        this.clientId = clientId;
        this.ledger = new CreditLedger(service.creditMeters);
    }

    Flux<ConsumeResponse> run(Flux<ConsumeRequest> requests) {
        return Flux.create(sink -> {
            out = sink;
            Disposable inbound = requests.subscribe(
                    request -> schedule(() -> onRequest(request)),
                    error -> schedule(() -> finish(null)),
                    () -> schedule(this::onHalfClose));
            sink.onRequest(n -> scheduleDrain());
            sink.onDispose(() -> {
                inbound.dispose();
                service.unregister(this);
                schedule(this::release);
            });
            service.register(this);
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    /** Ends the stream from outside (broker shutdown). */
    void abort(SluiceException reason) {
        schedule(() -> finish(reason));
    }

    /** Runs the task on the session's worker; false if the session was released (nothing left to do). */
    private boolean schedule(Runnable task) {
        try {
            worker.schedule(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            schedule(() -> {
                drainScheduled.set(false);
                drain();
            });
        }
    }

    private void onRequest(ConsumeRequest request) {
        if (finished) {
            return;
        }
        if (membership != null) {
            membership.heard();
        }
        try {
            switch (request.getRequestCase()) {
                case SUBSCRIBE -> {
                    if (subscribed) {
                        throw violation("Subscribe may be sent only once, as the first message of the stream");
                    }
                    subscribe(request.getSubscribe());
                }
                case CREDIT -> {
                    if (!subscribed) {
                        throw violation("The first ConsumeRequest must be a Subscribe, not a Credit");
                    }
                    addCredit(request.getCredit());
                }
                case COMMIT -> commit(request.getCommit());
                case REVOKE_DONE -> revokeDone(request.getRevokeDone());
                case KEEPALIVE_ACK -> groupMember("KeepaliveAck");
                case LEAVE -> {
                    groupMember("Leave").leave();
                    // No record after Leave: the partitions go to others now. Like a half-close, the commits
                    // sent before are still answered.
                    cursors.forEach(Cursor::close);
                    cursors.clear();
                    onHalfClose();
                }
                default -> throw violation(subscribed ? "Empty ConsumeRequest: set credit"
                        : "The first ConsumeRequest must be a Subscribe; got an empty request");
            }
            drain();
        } catch (RuntimeException e) {
            finish(SluiceException.from(e));
        }
    }

    private void subscribe(Subscribe subscribe) {
        if (subscribe.getTopicsCount() == 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "Subscribe names no topic");
        }
        reset = subscribe.getOffsetReset();
        if (reset == OffsetReset.UNRECOGNIZED) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "Unknown offset_reset " + subscribe.getOffsetResetValue());
        }
        if (subscribe.hasGroup()) {
            joinGroup(subscribe);
            return;
        }
        Map<PartitionLog, Long> starts = new LinkedHashMap<>();
        for (TopicSubscription wanted : subscribe.getTopicsList()) {
            Topic topic = service.topic(wanted.getTopic());
            List<PartitionLog> logs = wanted.getPartitionsCount() == 0 ? topic.partitions()
                    : wanted.getPartitionsList().stream().map(topic::partition).toList();
            for (Map.Entry<Integer, Long> override : wanted.getStartOffsetsMap().entrySet()) {
                if (!logs.contains(topic.partition(override.getKey()))) {
                    throw new SluiceException(ErrorCode.INVALID_REQUEST, "start_offsets names partition " + override.getKey()
                            + " of '" + topic.name() + "', which this subscription does not read");
                }
            }
            for (PartitionLog log : logs) {
                Long explicit = wanted.getStartOffsetsMap().get(log.id().partition());
                starts.putIfAbsent(log, explicit != null ? startAtOffset(log, explicit) : startOffset(log, subscribe.getStart()));
            }
        }
        acceptFormatAndCredit(subscribe);
        Subscribed.Builder answer = Subscribed.newBuilder();
        starts.forEach((log, offset) -> answer.addPartitions(position(log, offset)));
        subscribed = true;
        out.next(ConsumeResponse.newBuilder().setSubscribed(answer).build());
        starts.forEach(this::read);
    }

    private void acceptFormatAndCredit(Subscribe subscribe) {
        format = subscribe.getFormat();
        if (format == RecordFormat.UNRECOGNIZED) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "Unknown record format " + subscribe.getFormatValue());
        }
        if (subscribe.hasInitialCredit()) {
            addCredit(subscribe.getInitialCredit());
        }
    }

    private static PartitionPosition position(PartitionLog log, long start) {
        return PartitionPosition.newBuilder()
                .setTopic(log.id().topic())
                .setPartition(log.id().partition())
                .setStartOffset(start)
                .setHighWatermark(log.highWatermark())
                .build();
    }

    /** Starts reading a partition from {@code offset}. */
    private void read(PartitionLog log, long offset) {
        Cursor cursor = new Cursor(log, offset, service.recordsSent(log.id().topic()), service.bytesSent(log.id().topic()));
        cursors.add(cursor);
        cursor.onAppend = log.onAppend(this::scheduleDrain);
    }

    /** Group mode: validates the Subscribe and asks the coordinator to add this stream to the group. */
    private void joinGroup(Subscribe subscribe) {
        GroupMembership wanted = subscribe.getGroup();
        GroupNames.validate(wanted.getGroup());
        int timeoutMs = wanted.getSessionTimeoutMs();
        if (timeoutMs != 0 && (timeoutMs < 500 || timeoutMs > 300_000)) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "session_timeout_ms " + timeoutMs
                    + " is outside 500..300000 (0 means the broker default)");
        }
        List<String> topics = new ArrayList<>();
        for (TopicSubscription t : subscribe.getTopicsList()) {
            if (t.getPartitionsCount() > 0 || t.getStartOffsetsCount() > 0) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "A group subscription names whole topics: '"
                        + t.getTopic() + "' lists partitions or start_offsets; the group assigns partitions");
            }
            topics.add(service.topic(t.getTopic()).name());
        }
        acceptFormatAndCredit(subscribe);
        start = subscribe.getStart();
        groupMode = true;
        subscribed = true;
        service.groups.join(new GroupCoordinator.JoinRequest(wanted.getGroup(), wanted.getInstanceId(), clientId, topics,
                timeoutMs == 0 ? service.defaultSessionTimeout : Duration.ofMillis(timeoutMs)), new Channel());
    }

    private Membership groupMember(String what) {
        if (!groupMode) {
            throw violation(what + " is only for group members: subscribe with a group first");
        }
        if (membership == null) {
            throw violation(what + " before the broker answered the Subscribe");
        }
        return membership;
    }

    private void commit(CommitRequest request) {
        Membership member = groupMember("CommitRequest");
        long id = request.getId();
        Map<TopicPartition, Long> offsets = new HashMap<>();
        request.getOffsetsList().forEach(o -> offsets.put(new TopicPartition(o.getTopic(), o.getPartition()), o.getOffset()));
        Mono<Void> stored = offsets.isEmpty()
                ? Mono.error(new SluiceException(ErrorCode.INVALID_REQUEST, "CommitRequest " + id + " names no offset"))
                : member.commit(offsets);
        pendingCommits++;
        stored.subscribe(null,
                error -> schedule(() -> commitResult(id, SluiceException.from(error))),
                () -> schedule(() -> commitResult(id, null)));
    }

    /** The client sent its last message: end the stream, once the commits it sent are answered. */
    private void onHalfClose() {
        halfClosed = true;
        if (pendingCommits == 0) {
            finish(null);
        }
    }

    private void commitResult(long id, SluiceException error) {
        pendingCommits--;
        if (finished) {
            return;
        }
        CommitResult.Builder result = CommitResult.newBuilder().setId(id);
        if (error != null) {
            result.setError(error.code()).setMessage(error.getMessage());
        }
        out.next(ConsumeResponse.newBuilder().setCommitResult(result).build());
        if (halfClosed && pendingCommits == 0) {
            finish(null);
        }
    }

    private void revokeDone(RevokeDone done) {
        Membership member = groupMember("RevokeDone");
        Map<TopicPartition, Long> offsets = new HashMap<>();
        done.getOffsetsList().forEach(o -> offsets.put(new TopicPartition(o.getTopic(), o.getPartition()), o.getOffset()));
        member.revokeDone(done.getPartitionsList().stream().map(p -> new TopicPartition(p.getTopic(), p.getPartition()))
                .toList(), offsets);
    }

    /** Group mode: the partitions given to this member start at the committed offset, or at the start position. */
    private void onAssigned(long epoch, List<TopicPartition> partitions) {
        Assignment.Builder change = Assignment.newBuilder().setMemberEpoch(epoch);
        for (TopicPartition tp : partitions) {
            PartitionLog log = service.topic(tp.topic()).partition(tp.partition());
            Long committed = service.committed(membership.group(), tp);
            long offset = committed != null ? startAtOffset(log, committed) : startOffset(log, start);
            change.addAssigned(position(log, offset));
            read(log, offset);
        }
        out.next(ConsumeResponse.newBuilder().setAssignment(change).build());
    }

    /** Group mode: stop sending these partitions at once; no record of theirs follows the revoke. */
    private void onRevoked(long epoch, List<TopicPartition> partitions) {
        Assignment.Builder change = Assignment.newBuilder().setMemberEpoch(epoch);
        for (TopicPartition tp : partitions) {
            cursors.removeIf(c -> {
                if (c.log.id().equals(tp)) {
                    c.close();
                    return true;
                }
                return false;
            });
            change.addRevoked(PartitionRef.newBuilder().setTopic(tp.topic()).setPartition(tp.partition()));
        }
        nextCursor = cursors.isEmpty() ? 0 : nextCursor % cursors.size();
        out.next(ConsumeResponse.newBuilder().setAssignment(change).build());
    }

    /** The coordinator's voice on this stream: every call hops to the session's worker, in order. */
    private final class Channel implements MemberChannel {
        @Override
        public void joined(Membership joined) {
            // A stream that ended before the coordinator answered must not stay in the group as a ghost.
            boolean scheduled = schedule(() -> {
                membership = joined;
                if (finished) {
                    joined.closed();
                    return;
                }
                out.next(ConsumeResponse.newBuilder().setSubscribed(Subscribed.newBuilder()
                        .setMemberId(joined.memberId())
                        .setSessionTimeoutMs((int) joined.sessionTimeout().toMillis())).build());
            });
            if (!scheduled) {
                joined.closed();
            }
        }

        @Override
        public void assigned(long epoch, List<TopicPartition> partitions) {
            onGroupEvent(() -> onAssigned(epoch, partitions));
        }

        @Override
        public void revoked(long epoch, List<TopicPartition> partitions) {
            onGroupEvent(() -> onRevoked(epoch, partitions));
        }

        @Override
        public void keepalive(long id) {
            onGroupEvent(() -> out.next(ConsumeResponse.newBuilder().setKeepalive(Keepalive.newBuilder().setId(id)).build()));
        }

        @Override
        public void removed(SluiceException reason) {
            schedule(() -> finish(reason));
        }

        private void onGroupEvent(Runnable event) {
            schedule(() -> {
                if (finished) {
                    return;
                }
                try {
                    event.run();
                    drain();
                } catch (RuntimeException e) {
                    finish(SluiceException.from(e));
                }
            });
        }
    }

    private long startOffset(PartitionLog log, StartPosition start) {
        return switch (start.getPositionCase()) {
            case EARLIEST -> log.startOffset();
            case LATEST, POSITION_NOT_SET -> log.highWatermark();
            case TIMESTAMP_MS -> log.offsetForTimestamp(start.getTimestampMs());
            case OFFSET -> startAtOffset(log, start.getOffset());
        };
    }

    private long startAtOffset(PartitionLog log, long offset) {
        if (offset < 0) {
            throw new SluiceException(ErrorCode.INVALID_OFFSET, "Start offset " + offset + " is negative");
        }
        long start = log.startOffset();
        long end = log.highWatermark();
        return offset >= start && offset <= end ? offset : outOfRange(log, "Start offset", offset, start, end);
    }

    /** The position to go on from when {@code offset} is not in the log, per the subscription's offset_reset. */
    private long outOfRange(PartitionLog log, String what, long offset, long start, long end) {
        return switch (reset) {
            case OFFSET_RESET_EARLIEST -> start;
            case OFFSET_RESET_LATEST -> end;
            case OFFSET_RESET_NONE, UNRECOGNIZED -> throw new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, offset < start
                    ? what + " " + offset + " of " + log.id() + " was deleted by retention: the log now starts at "
                            + start + "; subscribe with offset_reset EARLIEST or LATEST to go on from the start or end"
                    : what + " " + offset + " is beyond the end of " + log.id() + ", whose next offset is " + end);
        };
    }

    private void addCredit(Credit credit) {
        if (credit.getRecords() <= 0 || credit.getBytes() <= 0) {
            throw new SluiceException(ErrorCode.INVALID_CREDIT, "Credit must grant at least 1 record and 1 byte; got records="
                    + credit.getRecords() + ", bytes=" + credit.getBytes());
        }
        ledger.granted(credit);
        recordCredit = saturatedAdd(recordCredit, credit.getRecords());
        byteCredit = saturatedAdd(byteCredit, credit.getBytes());
        sentSinceGrant = false;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private void drain() {
        if (!subscribed || finished) {
            return;
        }
        try {
            // Checked even without credit, so a deleted topic ends an idle stream at once.
            if (cursors.stream().anyMatch(c -> c.log.deleted())) {
                nextReadable();
            }
            while (recordCredit > 0 && byteCredit > 0 && out.requestedFromDownstream() > 0) {
                Cursor cursor = nextReadable();
                if (cursor == null || quotaWait(cursor) || !deliverOne(cursor)) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            finish(e instanceof SluiceException s ? s : new SluiceException(ErrorCode.BROKER_UNAVAILABLE,
                    "The broker could not read the log: " + e.getMessage(), e));
        }
    }

    /** The next cursor with data, round-robin so that one busy partition cannot starve the others. */
    private Cursor nextReadable() {
        for (int i = 0; i < cursors.size(); i++) {
            int at = (nextCursor + i) % cursors.size();
            Cursor cursor = cursors.get(at);
            if (cursor.log.deleted()) {
                throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "Topic '" + cursor.log.id().topic()
                        + "' was deleted while this stream read it");
            }
            if (cursor.readable()) {
                nextCursor = (at + 1) % cursors.size();
                return cursor;
            }
        }
        return null;
    }

    /**
     * Whether a consume quota of the cursor's topic or of the client is in debt: then a drain is scheduled
     * for when the buckets refill (credit is honoured only as fast as the quotas allow).
     */
    private boolean quotaWait(Cursor cursor) {
        long waitNanos = service.quotas(cursor.log.id().topic(), clientId).nanosUntil(0);
        if (waitNanos <= 0) {
            return false;
        }
        if (!quotaWakeScheduled) {
            quotaWakeScheduled = true;
            service.quotaWaits.increment();
            try {
                worker.schedule(() -> {
                    quotaWakeScheduled = false;
                    drain();
                }, Math.max(waitNanos, 1_000_000), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // The session was released.
            }
        }
        return true;
    }

    /** Sends the next slice of the cursor's data; false if what comes next does not fit the credit. */
    private boolean deliverOne(Cursor cursor) {
        if (cursor.readAhead.isEmpty()) {
            LogReadResult read = cursor.log.read(cursor.next, Math.min(byteCredit, MAX_READ_BYTES), recordCredit);
            if (read.belowStart(cursor.next)) {
                // Retention deleted the position while this stream read (the consumer fell behind): reset it.
                cursor.next = outOfRange(cursor.log, "Position", cursor.next, read.logStartOffset(), read.highWatermark());
                return true;
            }
            cursor.readAhead.addAll(read.batches());
            if (cursor.readAhead.isEmpty()) {
                return false;
            }
        }
        RecordBatch head = cursor.readAhead.peek();
        long headEnd = head.getBaseOffset() + head.getRecordCount();
        if (headEnd <= cursor.next) {
            cursor.readAhead.poll();
            return true;
        }
        RecordBatch slice = BatchSlicer.slice(head, Math.max(cursor.next, head.getBaseOffset()), recordCredit, byteCredit,
                !sentSinceGrant);
        if (slice == null) {
            return false;
        }
        sentSinceGrant = true;
        long sliceEnd = slice.getBaseOffset() + slice.getRecordCount();
        cursor.next = sliceEnd;
        if (sliceEnd >= headEnd) {
            cursor.readAhead.poll();
        }
        int bytes = slice.getRecords().size();
        recordCredit -= Math.min(recordCredit, slice.getRecordCount());
        byteCredit -= Math.min(byteCredit, bytes);
        cursor.recordsSent.increment(slice.getRecordCount());
        cursor.bytesSent.increment(bytes);
        ledger.sent(slice.getRecordCount(), bytes);
        service.delivered(cursor.log.id().topic(), slice);
        service.quotas(cursor.log.id().topic(), clientId).take(bytes);
        out.next(ConsumeResponse.newBuilder().setBatch(toBatch(cursor, slice)).build());
        return true;
    }

    private Batch toBatch(Cursor cursor, RecordBatch slice) {
        Batch.Builder batch = Batch.newBuilder()
                .setTopic(cursor.log.id().topic())
                .setPartition(cursor.log.id().partition())
                .setHighWatermark(cursor.log.highWatermark());
        if (format == RecordFormat.RECORD_FORMAT_PLAIN) {
            try {
                // Plain delivery is for clients without a codec: the broker decompresses on read.
                batch.addAllRecords(RecordSet.parseFrom(BatchCodec.decompress(slice.getCompression(), slice.getRecords()))
                        .getRecordsList());
            } catch (InvalidProtocolBufferException | CorruptBatchException e) {
                throw new SluiceException(ErrorCode.INTERNAL_ERROR, "corrupt batch in " + cursor.log.id(), e);
            }
            batch.setBatch(slice.toBuilder().clearRecords().setCompression(Compression.COMPRESSION_NONE));
        } else {
            batch.setBatch(slice);
        }
        return batch.build();
    }

    private static SluiceException violation(String message) {
        return new SluiceException(ErrorCode.PROTOCOL_VIOLATION, message);
    }

    private void finish(SluiceException error) {
        if (finished) {
            return;
        }
        finished = true;
        if (error == null) {
            out.complete();
        } else {
            out.error(error.toStatus());
        }
    }

    private void release() {
        finished = true;
        if (membership != null) {
            membership.closed();
        }
        cursors.forEach(Cursor::close);
        cursors.clear();
        worker.dispose();
    }
}
