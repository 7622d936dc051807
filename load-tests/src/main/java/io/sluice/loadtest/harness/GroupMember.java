package io.sluice.loadtest.harness;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.v1.Assignment;
import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.CommitRequest;
import io.sluice.proto.v1.CommitResult;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.ConsumerServiceGrpc;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.GroupMembership;
import io.sluice.proto.v1.KeepaliveAck;
import io.sluice.proto.v1.Leave;
import io.sluice.proto.v1.PartitionOffset;
import io.sluice.proto.v1.PartitionPosition;
import io.sluice.proto.v1.PartitionRef;
import io.sluice.proto.v1.RevokeDone;
import io.sluice.proto.v1.StartPosition;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One consumer group member on a raw Consume stream, as lean as {@link ConsumerDriver}: it keeps credit
 * outstanding (topped up once half is used), answers keepalives, and confirms a revoke at once with the
 * partitions' next offsets as final commits, so their new owner goes on where it stopped. Every batch and
 * ownership change goes to the shared {@link GroupProgress}. Responses arrive on one gRPC thread at a time.
 */
final class GroupMember implements ClientResponseObserver<ConsumeRequest, ConsumeResponse> {
    private final int index;
    private final GroupProgress progress;
    private final long creditRecords;
    private final long creditBytes;
    private final CountDownLatch ended = new CountDownLatch(1);
    /** Owned partitions with the next offset to read; touched on the response thread and by commitOwned. */
    private final Map<Integer, Long> owned = new TreeMap<>();
    private final CompletableFuture<CommitResult> commit = new CompletableFuture<>();
    private ClientCallStreamObserver<ConsumeRequest> requests;
    private String topic;
    private long usedRecords;
    private long usedBytes;
    private volatile long records; // written by the response thread only
    private volatile Status failure;

    GroupMember(int index, GroupProgress progress, long creditRecords, long creditBytes) {
        this.index = index;
        this.progress = progress;
        this.creditRecords = creditRecords;
        this.creditBytes = creditBytes;
    }

    /** Joins {@code group} reading all of {@code topic} from the earliest offset; responses arrive on gRPC's threads. */
    void join(Channel channel, String topic, String group, int sessionTimeoutMs) {
        this.topic = topic;
        ClientCallStreamObserver<ConsumeRequest> stream =
                (ClientCallStreamObserver<ConsumeRequest>) ConsumerServiceGrpc.newStub(channel).consume(this);
        send(stream, ConsumeRequest.newBuilder().setSubscribe(Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic(topic))
                .setStart(StartPosition.newBuilder().setEarliest(true))
                .setGroup(GroupMembership.newBuilder().setGroup(group).setSessionTimeoutMs(sessionTimeoutMs))
                .setInitialCredit(Credit.newBuilder().setRecords(creditRecords).setBytes(creditBytes)))
                .build());
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ConsumeRequest> stream) {
        this.requests = stream;
    }

    @Override
    public void onNext(ConsumeResponse response) {
        switch (response.getResponseCase()) {
            case BATCH -> onBatch(response.getBatch());
            case ASSIGNMENT -> onAssignment(response.getAssignment());
            case KEEPALIVE -> send(requests, ConsumeRequest.newBuilder()
                    .setKeepaliveAck(KeepaliveAck.newBuilder().setId(response.getKeepalive().getId())).build());
            case SUBSCRIBED -> progress.joined(index);
            case COMMIT_RESULT -> commit.complete(response.getCommitResult());
            default -> {
            }
        }
    }

    private void onBatch(Batch batch) {
        long now = System.nanoTime();
        int count = batch.getBatch().getRecordCount();
        long base = batch.getBatch().getBaseOffset();
        // A real consumer must decompress what it receives (Kafka's perf consumer does), so this one does too.
        BatchCodec.decompress(batch.getBatch().getCompression(), batch.getBatch().getRecords());
        synchronized (owned) {
            owned.computeIfPresent(batch.getPartition(), (p, next) -> Math.max(next, base + count));
        }
        records += count;
        progress.consumed(batch.getPartition(), base, count, now);
        usedRecords += count;
        usedBytes += batch.getBatch().getRecords().size();
        if (usedRecords >= creditRecords / 2 || usedBytes >= creditBytes / 2) {
            send(requests, ConsumeRequest.newBuilder()
                    .setCredit(Credit.newBuilder().setRecords(Math.max(1, usedRecords)).setBytes(Math.max(1, usedBytes)))
                    .build());
            usedRecords = 0;
            usedBytes = 0;
        }
    }

    private void onAssignment(Assignment assignment) {
        long now = System.nanoTime();
        Set<Integer> snapshot;
        RevokeDone.Builder done = RevokeDone.newBuilder();
        synchronized (owned) {
            for (PartitionPosition p : assignment.getAssignedList()) {
                owned.put(p.getPartition(), p.getStartOffset());
            }
            for (PartitionRef ref : assignment.getRevokedList()) {
                Long next = owned.remove(ref.getPartition());
                done.addPartitions(ref);
                if (next != null) {
                    done.addOffsets(PartitionOffset.newBuilder().setTopic(ref.getTopic()).setPartition(ref.getPartition())
                            .setOffset(next));
                }
            }
            snapshot = new TreeSet<>(owned.keySet());
        }
        if (assignment.getRevokedCount() > 0) {
            // Nothing of these partitions is in flight to us any more (the broker stops before revoking), so confirm now.
            send(requests, ConsumeRequest.newBuilder().setRevokeDone(done).build());
        }
        progress.owned(index, snapshot, assignment.getRevokedCount(), now);
    }

    /** Commits the next offset of every owned partition (a polite member does so before it leaves). */
    CompletableFuture<CommitResult> commitOwned() {
        CommitRequest.Builder request = CommitRequest.newBuilder().setId(1);
        synchronized (owned) {
            owned.forEach((p, next) -> request.addOffsets(PartitionOffset.newBuilder().setTopic(topic).setPartition(p)
                    .setOffset(next)));
        }
        if (request.getOffsetsCount() == 0) {
            commit.complete(CommitResult.newBuilder().setId(1).setError(ErrorCode.ERROR_CODE_NONE).build());
        } else {
            send(requests, ConsumeRequest.newBuilder().setCommit(request).build());
        }
        return commit;
    }

    /** Leaves the group; the broker moves this member's partitions and completes the stream. */
    void leave() {
        send(requests, ConsumeRequest.newBuilder().setLeave(Leave.getDefaultInstance()).build());
    }

    @Override
    public void onError(Throwable error) {
        Status status = Status.fromThrowable(error);
        if (status.getCode() != Status.Code.CANCELLED) {
            failure = status;
            progress.failed(index, status);
        }
        commit.completeExceptionally(error);
        ended.countDown();
    }

    @Override
    public void onCompleted() {
        ended.countDown();
    }

    /** Waits for the broker to end the stream (after a Leave). */
    boolean awaitEnd(long millis) throws InterruptedException {
        return ended.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Records received, duplicates included; read after the run. */
    long records() {
        return records;
    }

    Status failure() {
        return failure;
    }

    /** Cancels the stream unless the broker ended it. */
    void stop() {
        if (ended.getCount() > 0 && requests != null) {
            synchronized (this) {
                requests.cancel("load run over", null);
            }
        }
    }

    private synchronized void send(ClientCallStreamObserver<ConsumeRequest> stream, ConsumeRequest request) {
        stream.onNext(request);
    }
}
