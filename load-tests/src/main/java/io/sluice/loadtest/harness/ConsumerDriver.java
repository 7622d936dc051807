package io.sluice.loadtest.harness;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.ConsumerServiceGrpc;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.StartPosition;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One consumer stream from the earliest offset of some partitions. It keeps {@code creditRecords} /
 * {@code creditBytes} of credit outstanding, topping it up once half is used, so the broker never waits
 * for a round trip. With {@code measureEndToEnd} it reads each record's intended send time from its value.
 */
final class ConsumerDriver implements ClientResponseObserver<ConsumeRequest, ConsumeResponse> {
    private final RunMetrics metrics;
    private final SharedTarget target;
    private final int recordSize;
    private final boolean measureEndToEnd;
    private final Semaphore producerWindow; // released per record consumed, or null
    private final long creditRecords;
    private final long creditBytes;
    private final CountDownLatch ended = new CountDownLatch(1);
    private ClientCallStreamObserver<ConsumeRequest> requests;
    private long usedRecords;
    private long usedBytes;
    private volatile Status failure;

    /** The records all consumers of a run must read together before they stop. */
    static final class SharedTarget {
        private final java.util.concurrent.atomic.AtomicLong left;
        private final CountDownLatch reached = new CountDownLatch(1);

        SharedTarget(long records) {
            left = new java.util.concurrent.atomic.AtomicLong(records);
        }

        void consumed(long records) {
            if (left.addAndGet(-records) <= 0) {
                reached.countDown();
            }
        }

        /** Lowers or raises the target, e.g. to what the producer actually got acknowledged. */
        void set(long records, long alreadyConsumed) {
            left.set(records - alreadyConsumed);
            if (left.get() <= 0) {
                reached.countDown();
            }
        }

        long remaining() {
            return Math.max(0, left.get());
        }

        boolean await(long nanos) throws InterruptedException {
            return reached.await(nanos, TimeUnit.NANOSECONDS);
        }
    }

    ConsumerDriver(Scenario scenario, RunMetrics metrics, SharedTarget target, Semaphore producerWindow) {
        this.metrics = metrics;
        this.target = target;
        this.recordSize = scenario.recordSize();
        this.measureEndToEnd = scenario.workload() == Scenario.Workload.END_TO_END;
        this.producerWindow = producerWindow;
        this.creditRecords = scenario.creditRecords();
        this.creditBytes = scenario.creditBytes();
    }

    /** Subscribes; responses arrive on gRPC's threads. */
    void start(Channel channel, String topic, List<Integer> partitions) {
        ClientCallStreamObserver<ConsumeRequest> stream =
                (ClientCallStreamObserver<ConsumeRequest>) ConsumerServiceGrpc.newStub(channel).consume(this);
        synchronized (this) {
            stream.onNext(ConsumeRequest.newBuilder().setSubscribe(Subscribe.newBuilder()
                    .addTopics(TopicSubscription.newBuilder().setTopic(topic).addAllPartitions(partitions))
                    .setStart(StartPosition.newBuilder().setEarliest(true))
                    .setInitialCredit(Credit.newBuilder().setRecords(creditRecords).setBytes(creditBytes)))
                    .build());
        }
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ConsumeRequest> stream) {
        this.requests = stream;
    }

    @Override
    public void onNext(ConsumeResponse response) {
        if (!response.hasBatch()) {
            return;
        }
        long now = System.nanoTime();
        Batch batch = response.getBatch();
        int count = batch.getBatch().getRecordCount();
        // A real consumer must decompress what it receives (Kafka's perf consumer does), so this one does too.
        var records = BatchCodec.decompress(batch.getBatch().getCompression(), batch.getBatch().getRecords());
        if (measureEndToEnd) {
            RecordSetReader.forEachSendTime(records, sent -> metrics.endToEnd(now - sent));
        }
        metrics.consumed(count, (long) count * recordSize, now);
        if (producerWindow != null) {
            producerWindow.release(count);
        }
        target.consumed(count);
        usedRecords += count;
        usedBytes += batch.getBatch().getRecords().size();
        if (usedRecords >= creditRecords / 2 || usedBytes >= creditBytes / 2) {
            synchronized (this) {
                requests.onNext(ConsumeRequest.newBuilder()
                        .setCredit(Credit.newBuilder().setRecords(Math.max(1, usedRecords)).setBytes(Math.max(1, usedBytes)))
                        .build());
            }
            usedRecords = 0;
            usedBytes = 0;
        }
    }

    @Override
    public void onError(Throwable error) {
        Status status = Status.fromThrowable(error);
        if (status.getCode() != Status.Code.CANCELLED) {
            metrics.failed("CONSUME_" + status.getCode().name(), 0);
            failure = status;
        }
        ended.countDown();
    }

    @Override
    public void onCompleted() {
        ended.countDown();
    }

    Status failure() {
        return failure;
    }

    /** Ends the stream. */
    void stop() {
        synchronized (this) {
            if (ended.getCount() > 0) {
                requests.cancel("load run over", null);
            }
        }
    }
}
