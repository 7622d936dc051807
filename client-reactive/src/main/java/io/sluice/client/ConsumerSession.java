package io.sluice.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.codec.CorruptBatchException;
import io.sluice.proto.v1.Assignment;
import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.CommitRequest;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.GroupMembership;
import io.sluice.proto.v1.KeepaliveAck;
import io.sluice.proto.v1.Leave;
import io.sluice.proto.v1.PartitionPosition;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc.ReactorConsumerServiceStub;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.proto.v1.RecordSet;
import io.sluice.proto.v1.RevokeDone;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One subscription of a consumer. All state lives on one scheduler worker, so it needs no locks; every event
 * (subscriber demand, a broker message, a stream failure, a commit call) is a task on that worker.
 *
 * <p>Credit: the broker may send only what was granted ({@link CreditGrants}). Small top-ups wait until a
 * quarter of either is missing, so a fast subscriber does not cause one grant per batch. Records dropped
 * unseen (a revoked partition's) simply leave the buffer, which the next grant refills: the credit they used
 * was accounted for when they arrived.
 *
 * <p>Resume: {@code next} holds, per partition, the offset after the last record received (starting at the
 * broker's Subscribed positions); a reconnect subscribes with those as per-partition start offsets, and
 * still drops any record below a partition's {@code next}, so the subscriber never sees a duplicate.
 *
 * <p>Consumer group: the broker assigns the partitions ({@code next} starts at each assigned position) and
 * the session answers its keepalives on the worker, so a subscriber that blocks in {@code onNext} for longer
 * than the session timeout gets the member removed (like Kafka's {@code max.poll.interval.ms}). A revoke
 * drops the partition's buffered records, tells the listener, and confirms with the partition's final
 * acknowledged position. A broken stream loses every partition; the session rejoins (a static member with
 * its instance id) and starts each assigned partition afresh at the group's committed offset, so records
 * delivered but not committed before the break come again (at-least-once). On cancel the member commits
 * and leaves (a static member just closes its stream), within {@link #CLOSE_TIMEOUT}.
 */
final class ConsumerSession<K, V> {
    private static final Logger log = LoggerFactory.getLogger(ConsumerSession.class);
    /** How long a cancelled group member may take to commit and leave before its stream is cut. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

    private final ConsumerOptions<K, V> options;
    private final ConsumerOptions.Membership membership;
    private final ConsumeStream stream;
    private final CreditGrants credit;
    /** Null without a group. */
    private final GroupMember group;
    private final Sinks.Empty<Void> closed = Sinks.empty();
    /** Set by the subscriber's thread when it cancels (or the subscription fails): the session is closing. */
    private volatile boolean disposed;

    private final PrefetchBuffer<Received> buffer = new PrefetchBuffer<>(r -> r.record().getSerializedSize());
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private FluxSink<ReceivedRecord<K, V>> sink;
    /** Nothing more is delivered: the subscriber is gone. A group member may still be committing and leaving. */
    private boolean done;

    private final ClientMeters meters;

    ConsumerSession(ConsumerOptions<K, V> options, ReactorConsumerServiceStub stub, RetryPolicy retry, Scheduler.Worker worker,
                    ClientMeters meters) {
        this.meters = meters;
        this.options = options;
        this.membership = options.membership();
        this.stream = new ConsumeStream(stub, retry, worker, this::onResponse, this::onFailure);
        this.credit = new CreditGrants(options.prefetchRecords(), options.prefetchBytes(), true);
        this.group = membership.group() == null ? null : new GroupMember();
    }

    Flux<ReceivedRecord<K, V>> records() {
        return Flux.create(s -> {
            sink = s;
            s.onRequest(n -> stream.run(() -> {
                credit.request(n);
                drain();
            }));
            s.onDispose(() -> {
                disposed = true;
                stream.run(this::stop);
            });
            stream.run(this::connect);
            if (group != null && !membership.commitInterval().isZero()) {
                stream.schedulePeriodically(this::periodicCommit, membership.commitInterval());
            }
        }, FluxSink.OverflowStrategy.ERROR);
    }

    /** Whether the subscription ended, so the session is closing or closed; from any thread. */
    boolean closing() {
        return disposed;
    }

    /** Completes once the session released everything (a group member: after its final commit and leave). */
    Mono<Void> closed() {
        return closed.asMono();
    }

    /**
     * Commits the acknowledged positions of the partitions this member owns now; completes when the broker
     * stored them (at once when none moved, without a group, or while the stream is down: a broken stream
     * loses its partitions and with them what was not committed).
     */
    Mono<Void> commit() {
        if (group == null) {
            return Mono.empty();
        }
        // Should the session end before the commit task ran, its end completes the commit: nothing is left to commit.
        return Mono.<Void>create(s -> {
            if (!stream.run(() -> commitNow(s))) {
                s.success();
            }
        }).or(closed.asMono());
    }

    private void connect() {
        if (done) {
            return;
        }
        credit.reset();
        Subscribe.Builder subscribe = Subscribe.newBuilder().setStart(options.start().toProto())
                .setOffsetReset(options.offsetReset().proto);
        if (group == null) {
            options.subscriptions().forEach((topic, partitions) -> {
                TopicSubscription.Builder subscription = TopicSubscription.newBuilder().setTopic(topic).addAllPartitions(partitions);
                // After a reconnect every partition resumes exactly where this session stopped.
                next.forEach((tp, offset) -> {
                    if (tp.topic().equals(topic)) {
                        subscription.putStartOffsets(tp.partition(), offset);
                    }
                });
                subscribe.addTopics(subscription);
            });
        } else {
            options.subscriptions().keySet().forEach(topic -> subscribe.addTopics(TopicSubscription.newBuilder().setTopic(topic)));
            GroupMembership.Builder member = GroupMembership.newBuilder().setGroup(membership.group())
                    .setSessionTimeoutMs((int) membership.sessionTimeout().toMillis());
            if (membership.instanceId() != null) {
                member.setInstanceId(membership.instanceId());
            }
            subscribe.setGroup(member);
        }
        stream.open(ConsumeRequest.newBuilder().setSubscribe(subscribe).build());
    }

    private void onResponse(ConsumeResponse response) {
        if (done) {
            // A group member closing: only its final commit's result and keepalives still matter.
            switch (response.getResponseCase()) {
                case COMMIT_RESULT -> group.onCommitResult(response.getCommitResult());
                case KEEPALIVE -> answer(response.getKeepalive().getId());
                default -> {
                }
            }
            return;
        }
        try {
            switch (response.getResponseCase()) {
                case SUBSCRIBED -> {
                    if (group == null) {
                        for (PartitionPosition p : response.getSubscribed().getPartitionsList()) {
                            next.putIfAbsent(new TopicPartition(p.getTopic(), p.getPartition()), p.getStartOffset());
                        }
                    } else {
                        group.joined(response.getSubscribed().getMemberId());
                    }
                    stream.subscribed();
                }
                case BATCH -> onBatch(response.getBatch());
                case ASSIGNMENT -> {
                    if (group != null) {
                        onAssignment(response.getAssignment());
                    }
                }
                case KEEPALIVE -> answer(response.getKeepalive().getId());
                case COMMIT_RESULT -> {
                    if (group != null) {
                        group.onCommitResult(response.getCommitResult());
                    }
                }
                default -> {
                    // A newer broker's message: nothing to do with it.
                }
            }
            drain();
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void onBatch(Batch batch) {
        credit.received(batch.getBatch().getRecordCount(), batch.getBatch().getRecords().size());
        meters.received(batch.getTopic(), batch.getBatch().getRecordCount(), batch.getBatch().getRecords().size(),
                batch.getHighWatermark() - (batch.getBatch().getBaseOffset() + batch.getBatch().getRecordCount()));
        TopicPartition partition = new TopicPartition(batch.getTopic(), batch.getPartition());
        if (group != null && !group.owns(partition)) {
            return; // revoked: the broker sends none after the revoke, but should one come it is dropped
        }
        List<Record> records = batch.getRecordsCount() > 0 ? batch.getRecordsList() : decode(batch);
        long expected = next.getOrDefault(partition, 0L);
        long base = batch.getBatch().getBaseOffset();
        // A compacted batch lists its records' offsets (it has gaps); otherwise they follow the base offset.
        boolean compacted = batch.getBatch().getOffsetDeltasCount() > 0;
        for (int i = 0; i < records.size(); i++) {
            long offset = base + (compacted ? batch.getBatch().getOffsetDeltas(i) : i);
            if (offset >= expected) {
                Record record = records.get(i);
                buffer.add(new Received(partition, offset, record));
                expected = offset + 1;
            }
        }
        next.put(partition, expected);
    }

    private void onAssignment(Assignment assignment) {
        RuntimeException listenerError = null;
        if (assignment.getRevokedCount() > 0) {
            List<TopicPartition> revoked = assignment.getRevokedList().stream()
                    .map(p -> new TopicPartition(p.getTopic(), p.getPartition())).toList();
            Map<TopicPartition, PartitionAcks> released = group.release(revoked);
            dropBuffered(released.keySet());
            revoked.forEach(next::remove);
            // Acknowledgements made in the listener count: the final positions are read after it.
            listenerError = tell(membership.onRevoked(), List.copyOf(released.keySet()));
            stream.send(ConsumeRequest.newBuilder().setRevokeDone(RevokeDone.newBuilder()
                    .addAllPartitions(assignment.getRevokedList()).addAllOffsets(GroupMember.uncommitted(released))).build());
        }
        if (assignment.getAssignedCount() > 0) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (PartitionPosition p : assignment.getAssignedList()) {
                TopicPartition partition = new TopicPartition(p.getTopic(), p.getPartition());
                if (group.owns(partition)) {
                    dropBuffered(Set.of(partition)); // assigned again without a revoke: start afresh
                }
                group.assign(partition, p.getStartOffset());
                next.put(partition, p.getStartOffset());
                assigned.add(partition);
            }
            RuntimeException e = tell(membership.onAssigned(), assigned);
            listenerError = listenerError == null ? e : listenerError;
        }
        if (listenerError != null) {
            throw listenerError;
        }
    }

    /** Releases the buffered records of these partitions: they are never delivered. */
    private void dropBuffered(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty() || buffer.isEmpty()) {
            return;
        }
        buffer.removeIf(r -> partitions.contains(r.partition()));
    }

    /** Calls an assignment listener; returns what it threw, to fail the subscription once the protocol step is done. */
    private static RuntimeException tell(Consumer<Collection<TopicPartition>> listener, List<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return null;
        }
        try {
            listener.accept(partitions);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private void answer(long keepalive) {
        stream.send(ConsumeRequest.newBuilder().setKeepaliveAck(KeepaliveAck.newBuilder().setId(keepalive)).build());
    }

    private void commitNow(MonoSink<Void> waiter) {
        if (done || !stream.isSubscribed()) {
            waiter.success();
            return;
        }
        send(group.commit(e -> {
            if (e == null) {
                waiter.success();
            } else {
                waiter.error(e);
            }
        }));
    }

    private void periodicCommit() {
        if (done || !stream.isSubscribed()) {
            return;
        }
        String member = group.memberId();
        send(group.commit(e -> {
            if (e != null) {
                log.warn("Periodic commit of member {} of group {} failed: {}", member, membership.group(), e.toString());
            }
        }));
    }

    private void send(CommitRequest commit) {
        if (commit != null) {
            stream.send(ConsumeRequest.newBuilder().setCommit(commit).build());
        }
    }

    private static List<Record> decode(Batch batch) {
        try {
            RecordBatch records = batch.getBatch();
            return RecordSet.parseFrom(BatchCodec.decompress(records.getCompression(), records.getRecords())).getRecordsList();
        } catch (InvalidProtocolBufferException | CorruptBatchException e) {
            throw new SluiceException(ErrorCode.INTERNAL_ERROR, "corrupt batch from " + batch.getTopic() + "-"
                    + batch.getPartition() + ": " + e.getMessage(), e);
        }
    }

    private void drain() {
        if (done) {
            return;
        }
        while (credit.demanded() && !buffer.isEmpty() && !sink.isCancelled()) {
            Received r = buffer.poll();
            PartitionAcks acks = group == null ? null : group.acks(r.partition());
            if (group != null && acks == null) {
                continue; // not owned: cannot happen, as a revoke drops the partition's buffered records
            }
            credit.delivered();
            sink.next(toRecord(r, acks));
            if (done) {
                return;
            }
        }
        if (stream.isSubscribed()) {
            stream.grant(credit.next(buffer.size(), buffer.bytes()));
        }
    }

    private ReceivedRecord<K, V> toRecord(Received r, PartitionAcks acks) {
        return ReceivedRecord.decode(r.partition().topic(), r.partition().partition(), r.offset(), r.record(),
                options.keyDeserializer(), options.valueDeserializer(), acks == null ? null : acks.deliver(r.offset()));
    }

    private void onFailure(Throwable error) {
        if (done) {
            finish(); // a closing member's stream ended: it left
            return;
        }
        Throwable mapped = Errors.map(error);
        RuntimeException listenerError = group == null ? null : lose(mapped);
        if (listenerError != null) {
            fail(listenerError);
            return;
        }
        if (!stream.retryLater(mapped, this::connect)) {
            fail(mapped);
        }
    }

    /**
     * The stream broke: the member's partitions are lost with it (nothing can be committed now). Rejoining
     * assigns partitions afresh, at the group's committed offsets, so what was buffered is dropped.
     */
    private RuntimeException lose(Throwable why) {
        buffer.clear();
        next.clear();
        List<TopicPartition> lost = group.partitions();
        group.reset(why);
        return tell(membership.onRevoked(), lost);
    }

    private void fail(Throwable error) {
        if (!done) {
            sink.error(error);
            stop();
        }
    }

    /**
     * Nothing more is delivered (the subscriber cancelled, or the subscription failed). A group member with
     * a live stream then gives up its partitions, commits what was acknowledged and leaves (see
     * {@link #leave()}), within {@link #CLOSE_TIMEOUT}; anything else is released at once.
     */
    private void stop() {
        if (done) {
            return;
        }
        done = true;
        buffer.clear();
        if (group == null) {
            finish();
            return;
        }
        RuntimeException listenerError = tell(membership.onRevoked(), group.partitions());
        if (listenerError != null) {
            log.warn("onRevoked listener of group {} failed while the subscription ended", membership.group(), listenerError);
        }
        if (!stream.isSubscribed()) {
            finish();
            return;
        }
        stream.schedule(this::finish, CLOSE_TIMEOUT);
        // Leave once the commit is answered, whatever the answer: the commit may be fenced, the leave still helps.
        send(group.commit(e -> leave()));
    }

    /**
     * A dynamic member leaves. A static member only closes its stream: the broker keeps its partitions for the
     * session timeout, so a restart with the same instance id within it moves nothing (as in Kafka).
     */
    private void leave() {
        if (!stream.isClosed()) {
            if (membership.instanceId() == null) {
                stream.send(ConsumeRequest.newBuilder().setLeave(Leave.getDefaultInstance()).build());
            }
            stream.completeRequests(); // the broker then ends the stream, which finishes the session
        }
    }

    private void finish() {
        done = true;
        if (!stream.close()) {
            return;
        }
        buffer.clear();
        if (group != null) {
            group.reset(Errors.of(ErrorCode.BROKER_UNAVAILABLE, "the subscription ended before the commit's result arrived", null));
        }
        stream.dispose();
        closed.tryEmitEmpty();
    }

    private record Received(TopicPartition partition, long offset, Record record) {
    }
}
