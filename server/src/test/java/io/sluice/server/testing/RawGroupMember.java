package io.sluice.server.testing;

import io.grpc.Channel;
import io.sluice.proto.v1.Assignment;
import io.sluice.proto.v1.CommitRequest;
import io.sluice.proto.v1.CommitResult;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.GroupMembership;
import io.sluice.proto.v1.KeepaliveAck;
import io.sluice.proto.v1.Leave;
import io.sluice.proto.v1.PartitionOffset;
import io.sluice.proto.v1.PartitionPosition;
import io.sluice.proto.v1.PartitionRef;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.RevokeDone;
import io.sluice.proto.v1.StartPosition;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import io.sluice.server.log.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

/**
 * A consumer group member speaking the raw protocol, for broker tests: it answers keepalives (unless told to
 * go silent), treats every record received as processed, and on a revoke confirms at once with the next
 * offsets as final commits. Everything it saw is kept for assertions.
 */
public final class RawGroupMember implements AutoCloseable {
    private final Sinks.Many<ConsumeRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
    private final Disposable call;
    private final AtomicLong commitIds = new AtomicLong();
    private volatile boolean silent;
    public final AtomicReference<String> memberId = new AtomicReference<>();
    public final AtomicReference<Throwable> error = new AtomicReference<>();
    public final AtomicLong epoch = new AtomicLong();
    /** Partitions owned now, with the next offset to process. */
    public final Map<TopicPartition, Long> owned = new ConcurrentHashMap<>();
    /** Every Assignment message received, in order. */
    public final List<Assignment> assignments = new CopyOnWriteArrayList<>();
    public final List<CommitResult> commitResults = new CopyOnWriteArrayList<>();
    /** Every record offset received, per partition. */
    public final Map<TopicPartition, Set<Long>> received = new ConcurrentHashMap<>();

    private RawGroupMember(Channel channel, Subscribe subscribe) {
        requests.tryEmitNext(ConsumeRequest.newBuilder().setSubscribe(subscribe).build());
        call = ReactorConsumerServiceGrpc.newReactorStub(channel).consume(requests.asFlux())
                .subscribe(this::onResponse, error::set);
    }

    /** Joins {@code group} reading {@code topic} from the earliest offset, with much credit. */
    public static RawGroupMember join(Channel channel, String group, String topic, int sessionTimeoutMs, String instanceId) {
        return new RawGroupMember(channel, Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic(topic))
                .setStart(StartPosition.newBuilder().setEarliest(true))
                .setGroup(GroupMembership.newBuilder().setGroup(group).setInstanceId(instanceId)
                        .setSessionTimeoutMs(sessionTimeoutMs))
                .setInitialCredit(Credit.newBuilder().setRecords(Long.MAX_VALUE / 2).setBytes(Long.MAX_VALUE / 2))
                .build());
    }

    private synchronized void onResponse(ConsumeResponse response) {
        switch (response.getResponseCase()) {
            case SUBSCRIBED -> memberId.set(response.getSubscribed().getMemberId());
            case ASSIGNMENT -> onAssignment(response.getAssignment());
            case KEEPALIVE -> {
                if (!silent) {
                    send(ConsumeRequest.newBuilder()
                            .setKeepaliveAck(KeepaliveAck.newBuilder().setId(response.getKeepalive().getId())).build());
                }
            }
            case COMMIT_RESULT -> commitResults.add(response.getCommitResult());
            case BATCH -> {
                TopicPartition p = new TopicPartition(response.getBatch().getTopic(), response.getBatch().getPartition());
                long base = response.getBatch().getBatch().getBaseOffset();
                int count = response.getBatch().getBatch().getRecordCount();
                Set<Long> offsets = received.computeIfAbsent(p, k -> ConcurrentHashMap.newKeySet());
                for (long o = base; o < base + count; o++) {
                    offsets.add(o);
                }
                owned.computeIfPresent(p, (k, next) -> Math.max(next, base + count));
            }
            default -> {
            }
        }
    }

    private void onAssignment(Assignment assignment) {
        assignments.add(assignment);
        epoch.set(assignment.getMemberEpoch());
        for (PartitionPosition p : assignment.getAssignedList()) {
            owned.put(new TopicPartition(p.getTopic(), p.getPartition()), p.getStartOffset());
        }
        if (assignment.getRevokedCount() > 0) {
            RevokeDone.Builder done = RevokeDone.newBuilder();
            for (PartitionRef ref : assignment.getRevokedList()) {
                Long next = owned.remove(new TopicPartition(ref.getTopic(), ref.getPartition()));
                done.addPartitions(ref);
                if (next != null) {
                    done.addOffsets(PartitionOffset.newBuilder().setTopic(ref.getTopic()).setPartition(ref.getPartition())
                            .setOffset(next));
                }
            }
            send(ConsumeRequest.newBuilder().setRevokeDone(done).build());
        }
    }

    /** Stops answering keepalives (and sending anything), as a hung or cut-off consumer would. */
    public void goSilent() {
        silent = true;
    }

    /** Commits offsets on the stream; the result arrives in {@link #commitResults}. */
    public long commit(TopicPartition partition, long offset) {
        long id = commitIds.incrementAndGet();
        send(ConsumeRequest.newBuilder().setCommit(CommitRequest.newBuilder().setId(id).addOffsets(PartitionOffset.newBuilder()
                .setTopic(partition.topic()).setPartition(partition.partition()).setOffset(offset))).build());
        return id;
    }

    /** Leaves the group politely. */
    public void leave() {
        send(ConsumeRequest.newBuilder().setLeave(Leave.getDefaultInstance()).build());
    }

    /** Cuts the stream with no goodbye. */
    @Override
    public void close() {
        call.dispose();
    }

    public boolean ended() {
        return call.isDisposed() || error.get() != null;
    }

    private synchronized void send(ConsumeRequest request) {
        requests.tryEmitNext(request);
    }
}
