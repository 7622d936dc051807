package io.sluice.server.testing;

import io.grpc.Channel;
import io.grpc.Status;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ProducerCredit;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.ResponseKind;
import io.sluice.proto.v1.ThrottleReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

/**
 * A raw credit-aware producer for tests: sends batches of 10 records (round-robin over the partitions) as
 * fast as its credit allows, until it has sent {@code maxBatches} or the broker tells it to stop; remembers
 * every acknowledged record by partition and offset.
 */
public final class CreditProducer implements AutoCloseable {
    private static final int RECORDS_PER_BATCH = 10;

    private final String topic;
    private final int partitions;
    private final int maxBatches;
    private final Sinks.Many<ProduceRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
    private final Map<Long, ProduceRequest> sentById = new ConcurrentHashMap<>();
    /** (partition, offset) -> value of every acknowledged record. */
    private final Map<List<Long>, String> acked = new ConcurrentHashMap<>();
    private final List<ProduceResponse> refused = java.util.Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<ProducerCredit> shutdownNotice = new CompletableFuture<>();
    private final CompletableFuture<Status> ended = new CompletableFuture<>();
    private final Disposable subscription;
    private long recordCredit;
    private long byteCredit;
    private int sent;
    private boolean stopped;

    public CreditProducer(Channel channel, String topic, int partitions, int maxBatches) {
        this.topic = topic;
        this.partitions = partitions;
        this.maxBatches = maxBatches;
        requests.tryEmitNext(ProduceRequest.newBuilder().setUseCredit(true).build());
        this.subscription = ReactorProducerServiceGrpc.newReactorStub(channel).produce(requests.asFlux())
                .subscribe(this::onResponse, e -> ended.complete(Status.fromThrowable(e)),
                        () -> ended.complete(Status.OK));
    }

    private synchronized void onResponse(ProduceResponse response) {
        if (response.getKind() == ResponseKind.RESPONSE_KIND_CREDIT) {
            ProducerCredit credit = response.getCredit();
            if (credit.getReason() == ThrottleReason.SHUTTING_DOWN) {
                stopped = true;
                shutdownNotice.complete(credit);
                return;
            }
            recordCredit += credit.getRecords();
            byteCredit += credit.getBytes();
            sendWhileCredit();
            return;
        }
        ProduceRequest request = sentById.get(response.getRequestId());
        if (response.getErrorCode() != ErrorCode.ERROR_CODE_NONE) {
            refused.add(response);
            return;
        }
        for (int i = 0; i < response.getRecordCount(); i++) {
            acked.put(List.of((long) response.getPartition(), response.getBaseOffset() + i),
                    request.getRecords(i).getValue().toStringUtf8());
        }
    }

    private void sendWhileCredit() {
        while (!stopped && sent < maxBatches) {
            ProduceRequest.Builder batch = ProduceRequest.newBuilder().setRequestId(sent).setTopic(topic)
                    .setPartition(sent % partitions);
            for (int i = 0; i < RECORDS_PER_BATCH; i++) {
                batch.addRecords(Protos.record(null, "batch-" + sent + "-record-" + i));
            }
            ProduceRequest request = batch.build();
            long bytes = request.getRecordsList().stream().mapToLong(Record::getSerializedSize).sum();
            if (recordCredit < RECORDS_PER_BATCH || byteCredit < bytes) {
                return;
            }
            recordCredit -= RECORDS_PER_BATCH;
            byteCredit -= bytes;
            sentById.put(request.getRequestId(), request);
            sent++;
            requests.tryEmitNext(request);
        }
    }

    /** (partition, offset) -> value of every acknowledged record, so far. */
    public Map<List<Long>, String> acked() {
        // A HashMap: Map.copyOf's linear probing crawls on these keys' consecutive hash codes.
        return new java.util.HashMap<>(acked);
    }

    /** How many records were acknowledged so far. */
    public int ackedCount() {
        return acked.size();
    }

    /** Batches answered with an error. */
    public List<ProduceResponse> refused() {
        synchronized (refused) {
            return List.copyOf(refused);
        }
    }

    /** Completes with the broker's SHUTTING_DOWN credit message. */
    public CompletableFuture<ProducerCredit> shutdownNotice() {
        return shutdownNotice;
    }

    /** Completes with the stream's final status (OK if it completed). */
    public CompletableFuture<Status> ended() {
        return ended;
    }

    @Override
    public void close() {
        subscription.dispose();
    }
}
