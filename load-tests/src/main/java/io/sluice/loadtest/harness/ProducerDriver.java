package io.sluice.loadtest.harness;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.sluice.proto.v1.Acks;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ProducerServiceGrpc;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.v1.RecordBatch;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One producer: one thread, one produce stream, a window of {@code maxInFlight} batches. Records go into
 * per-partition {@link BatchBuilder}s (keyed: Kafka's murmur2 partition; keyless: one sticky partition
 * that moves on with every batch sent). A full batch is sent at once; a partial one after {@code linger}
 * (open model). Closed model: records are always ready, so batches fill to the batch size, as in Kafka's
 * producer when saturated. Open model: record i is due at the profile's time i and its latencies count
 * from then, even if the window made the driver wait.
 */
final class ProducerDriver implements Runnable {
    private final Scenario scenario;
    private final Channel channel;
    private final RunMetrics metrics;
    private final RecordBudget budget;
    private final Semaphore window;
    private final long startNanos;
    private final long deadlineNanos;
    private final String topic;
    private final long startMillis; // wall clock at startNanos
    private final long lingerNanos;
    private final long stallNanos;
    private final boolean ackExpected;
    private final boolean closedModel;
    private final BatchBuilder[] builders;
    private final KeySource keys;
    private final Map<Long, InFlightBatch> inFlight = new ConcurrentHashMap<>();
    private volatile Status streamFailure;
    private ClientCallStreamObserver<ProduceRequest> requests;
    private long nextRequestId;
    private int stickyPartition;

    ProducerDriver(Scenario scenario, String topic, Channel channel, RunMetrics metrics, RecordBudget budget,
                   Semaphore window, long startNanos, long deadlineNanos, long seed) {
        this.scenario = scenario;
        this.channel = channel;
        this.metrics = metrics;
        this.budget = budget;
        this.window = window;
        this.startNanos = startNanos;
        this.deadlineNanos = deadlineNanos;
        this.startMillis = System.currentTimeMillis() - (System.nanoTime() - startNanos) / 1_000_000;
        this.lingerNanos = scenario.linger().toNanos();
        this.stallNanos = scenario.drain().toNanos();
        this.ackExpected = scenario.acks() != Acks.ACKS_NONE;
        this.closedModel = scenario.injection() instanceof Injection.Closed;
        this.topic = topic;
        byte[] payload = new byte[scenario.recordSize()];
        new java.util.Random(seed).nextBytes(payload); // incompressible, like Kafka's perf producer
        this.builders = new BatchBuilder[scenario.partitions()];
        for (int p = 0; p < builders.length; p++) {
            builders[p] = new BatchBuilder(p, scenario.batchBytes(), scenario.batchRecords(), payload);
        }
        this.keys = KeySource.create(scenario.keys(), scenario.partitions(), seed);
        this.stickyPartition = (int) (seed % scenario.partitions());
    }

    /** A window for one producer; the end-to-end scenario may hand it to the consumer to release. */
    static Semaphore newWindow(Scenario scenario) {
        return new Semaphore(scenario.maxInFlight());
    }

    @Override
    public void run() {
        requests = (ClientCallStreamObserver<ProduceRequest>) ProducerServiceGrpc.newStub(channel)
                .produce(new Responses());
        try {
            if (scenario.injection() instanceof Injection.Open open) {
                runOpen(open);
            } else {
                runClosed();
            }
            flushAll();
            awaitOutstanding();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (inFlight.isEmpty() && streamFailure == null) {
                requests.onCompleted();
            } else {
                requests.cancel("load run over", null);
            }
        }
    }

    private void runClosed() throws InterruptedException {
        long ready = 0;
        while (streamFailure == null && System.nanoTime() < deadlineNanos) {
            if (ready == 0 && (ready = budget.claim(1024)) == 0) {
                return;
            }
            long now = System.nanoTime();
            addRecord(now, now);
            ready--;
        }
    }

    private void runOpen(Injection.Open profile) throws InterruptedException {
        long total = budget.claim(profile.totalRecords());
        long next = 0;
        while (next < total && streamFailure == null) {
            long now = System.nanoTime();
            if (now >= deadlineNanos) {
                return;
            }
            long due = Math.min(total, (long) profile.countAt(now - startNanos));
            for (; next < due; next++) {
                addRecord(startNanos + profile.timeOf(next), now);
            }
            flushLingering(now);
            long wake = next < total ? startNanos + profile.timeOf(next) : now;
            wake = Math.min(wake, earliestLingerDeadline());
            long sleep = wake - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(Math.min(sleep, 10_000_000L));
            }
        }
    }

    private void addRecord(long intendedNanos, long nowNanos) throws InterruptedException {
        byte[] key = null;
        int partition;
        if (keys != null) {
            int k = keys.next();
            key = keys.key(k);
            partition = keys.partition(k);
        } else {
            partition = stickyPartition;
        }
        // Derived from nanoTime: one clock read per record, not two.
        long timestampMs = startMillis + (nowNanos - startNanos) / 1_000_000;
        BatchBuilder builder = builders[partition];
        if (builder.wouldOverflow(key, timestampMs)) {
            send(builder);
            if (keys == null) {
                builder = builders[stickyPartition];
            }
        }
        if (closedModel && builder.count() == 0) {
            // Closed model: a batch takes its window slot before its first record is stamped, so no
            // record's latency includes waiting for the previous batches (Kafka's EndToEndLatency sends
            // each record only once the previous one is consumed).
            reserveSlot();
            intendedNanos = System.nanoTime();
        }
        builder.add(key, intendedNanos, timestampMs, nowNanos);
        metrics.sentRecords.increment();
        if (closedModel && builder.wouldOverflow(key, timestampMs)) {
            send(builder); // full: send now rather than when the next record arrives
        }
    }

    /** Closed model: a slot for a new batch; partial batches holding slots are sent first if none is free. */
    private void reserveSlot() throws InterruptedException {
        if (window.tryAcquire()) {
            return;
        }
        for (BatchBuilder b : builders) {
            if (b.count() > 0) {
                send(b);
            }
        }
        awaitSlot();
    }

    private void flushLingering(long now) throws InterruptedException {
        for (BatchBuilder builder : builders) {
            if (builder.count() > 0 && now - builder.firstAddedNanos() >= lingerNanos) {
                send(builder);
            }
        }
    }

    private long earliestLingerDeadline() {
        long earliest = Long.MAX_VALUE;
        for (BatchBuilder builder : builders) {
            if (builder.count() > 0) {
                earliest = Math.min(earliest, builder.firstAddedNanos() + lingerNanos);
            }
        }
        return earliest;
    }

    private void flushAll() throws InterruptedException {
        for (BatchBuilder builder : builders) {
            if (builder.count() > 0 && streamFailure == null) {
                send(builder);
            }
        }
    }

    /** Waits for a window slot, until the deadline or, if nothing comes back for the drain time, a stall. */
    private void awaitSlot() throws InterruptedException {
        long wait = Math.min(deadlineNanos - System.nanoTime(), stallNanos);
        if (wait <= 0 || !window.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
            if (System.nanoTime() < deadlineNanos) {
                metrics.failed("WINDOW_STALLED", 0);
            }
            throw new InterruptedException("no in-flight window slot in time");
        }
    }

    /** Sends the builder's batch; open model: waits for a window slot first (bounded by the deadline). */
    private void send(BatchBuilder builder) throws InterruptedException {
        if (!closedModel) {
            awaitSlot();
        }
        InFlightBatch batch = builder.take();
        long id = nextRequestId++;
        ProduceRequest request = ProduceRequest.newBuilder()
                .setRequestId(id)
                .setTopic(topic)
                .setPartition(batch.partition())
                .setAcks(scenario.acks())
                .setBatch(RecordBatch.newBuilder().setRecordCount(batch.count())
                        .setCompression(scenario.compression())
                        .setRecords(BatchCodec.compress(scenario.compression(), batch.records())))
                .build();
        if (ackExpected) {
            inFlight.put(id, batch);
            requests.onNext(request);
        } else {
            requests.onNext(request);
            metrics.sentUnacknowledged(batch, System.nanoTime());
            window.release();
        }
        if (keys == null && builder.partition() == stickyPartition) {
            stickyPartition = (stickyPartition + 1) % builders.length;
        }
    }

    /** Waits, until the deadline, for every batch sent to be acknowledged. */
    private void awaitOutstanding() throws InterruptedException {
        while (!inFlight.isEmpty() && streamFailure == null) {
            long wait = deadlineNanos - System.nanoTime();
            if (wait <= 0) {
                return;
            }
            LockSupport.parkNanos(Math.min(wait, 1_000_000L));
        }
    }

    private final class Responses implements ClientResponseObserver<ProduceRequest, ProduceResponse> {
        @Override
        public void beforeStart(ClientCallStreamObserver<ProduceRequest> stream) {
        }

        @Override
        public void onNext(ProduceResponse response) {
            long now = System.nanoTime();
            InFlightBatch batch = inFlight.remove(response.getRequestId());
            if (batch == null) {
                return;
            }
            if (response.getErrorCode() == ErrorCode.ERROR_CODE_NONE) {
                metrics.acked(batch, now);
            } else {
                metrics.failed(response.getErrorCode().name(), batch.count());
            }
            if (!scenario.releaseOnConsume()) {
                window.release();
            }
        }

        @Override
        public void onError(Throwable error) {
            Status status = Status.fromThrowable(error);
            if (status.getCode() != Status.Code.CANCELLED) {
                metrics.failed("STREAM_" + status.getCode().name(), inFlight.values().stream().mapToLong(InFlightBatch::count).sum());
            }
            streamFailure = status;
            inFlight.clear();
            window.release(scenario.maxInFlight());
        }

        @Override
        public void onCompleted() {
        }
    }
}
