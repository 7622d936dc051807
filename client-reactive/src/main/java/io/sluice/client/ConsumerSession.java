package io.sluice.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.proto.v1.Batch;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.PartitionPosition;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc.ReactorConsumerServiceStub;
import io.sluice.proto.v1.Record;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.codec.CorruptBatchException;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.proto.v1.RecordSet;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One subscription of a consumer. All state lives on one scheduler worker, so it needs no locks; every event
 * (subscriber demand, a broker message, a stream failure) is a task on that worker.
 *
 * <p>Credit: the broker may send only what was granted. Grants keep {@code buffered + outstanding} at most
 * {@code min(demand, prefetch)} records and at most prefetchBytes bytes, so a slow subscriber holds memory
 * flat. Small top-ups wait until a quarter of either is missing, so a fast subscriber does not cause one grant
 * per batch.
 *
 * <p>Resume: {@code next} holds, per partition, the offset after the last record received (starting at the
 * broker's Subscribed positions); a reconnect subscribes with those as per-partition start offsets, and
 * still drops any record below a partition's {@code next}, so the subscriber never sees a duplicate.
 */
final class ConsumerSession<K, V> {
    private final ConsumerOptions<K, V> options;
    private final ReactorConsumerServiceStub stub;
    private final RetryPolicy retry;
    private final Scheduler.Worker worker;

    private final ArrayDeque<Received> buffer = new ArrayDeque<>();
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private FluxSink<ReceivedRecord<K, V>> sink;
    private Sinks.Many<ConsumeRequest> requests;
    private Disposable call;
    private int generation;
    private boolean subscribed;
    private boolean done;
    private long demand;
    private long bufferedBytes;
    private long outstandingRecords;
    private long outstandingBytes;
    private long failingSince;
    private int failuresInARow;

    ConsumerSession(ConsumerOptions<K, V> options, ReactorConsumerServiceStub stub, RetryPolicy retry, Scheduler.Worker worker) {
        this.options = options;
        this.stub = stub;
        this.retry = retry;
        this.worker = worker;
    }

    Flux<ReceivedRecord<K, V>> records() {
        return Flux.create(s -> {
            sink = s;
            s.onRequest(n -> run(() -> {
                demand = saturatedAdd(demand, n);
                drain();
            }));
            s.onDispose(() -> run(this::stop));
            run(this::connect);
        }, FluxSink.OverflowStrategy.ERROR);
    }

    private void run(Runnable task) {
        try {
            worker.schedule(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Stopped: nothing left to do.
        }
    }

    private void connect() {
        if (done) {
            return;
        }
        int current = ++generation;
        subscribed = false;
        outstandingRecords = 0;
        outstandingBytes = 0;
        Subscribe.Builder subscribe = Subscribe.newBuilder().setStart(options.start().toProto())
                .setOffsetReset(options.offsetReset().proto);
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
        requests = Sinks.many().unicast().onBackpressureBuffer();
        requests.tryEmitNext(ConsumeRequest.newBuilder().setSubscribe(subscribe).build());
        call = stub.consume(requests.asFlux()).subscribe(
                response -> run(() -> onResponse(current, response)),
                error -> run(() -> onFailure(current, error)),
                () -> run(() -> onFailure(current, Errors.of(ErrorCode.BROKER_UNAVAILABLE, "the broker ended the stream", null))));
    }

    private void onResponse(int from, ConsumeResponse response) {
        if (from != generation || done) {
            return;
        }
        try {
            switch (response.getResponseCase()) {
                case SUBSCRIBED -> {
                    for (PartitionPosition p : response.getSubscribed().getPartitionsList()) {
                        next.putIfAbsent(new TopicPartition(p.getTopic(), p.getPartition()), p.getStartOffset());
                    }
                    subscribed = true;
                    failuresInARow = 0;
                }
                case BATCH -> onBatch(response.getBatch());
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
        outstandingRecords = Math.max(0, outstandingRecords - batch.getBatch().getRecordCount());
        outstandingBytes = Math.max(0, outstandingBytes - batch.getBatch().getRecords().size());
        List<Record> records = batch.getRecordsCount() > 0 ? batch.getRecordsList() : decode(batch);
        TopicPartition partition = new TopicPartition(batch.getTopic(), batch.getPartition());
        long expected = next.getOrDefault(partition, 0L);
        long base = batch.getBatch().getBaseOffset();
        // A compacted batch lists its records' offsets (it has gaps); otherwise they follow the base offset.
        boolean compacted = batch.getBatch().getOffsetDeltasCount() > 0;
        for (int i = 0; i < records.size(); i++) {
            long offset = base + (compacted ? batch.getBatch().getOffsetDeltas(i) : i);
            if (offset >= expected) {
                Record record = records.get(i);
                buffer.add(new Received(partition, offset, record));
                bufferedBytes += record.getSerializedSize();
                expected = offset + 1;
            }
        }
        next.put(partition, expected);
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
        while (demand > 0 && !buffer.isEmpty() && !sink.isCancelled()) {
            Received r = buffer.poll();
            bufferedBytes -= r.record().getSerializedSize();
            demand--;
            sink.next(toRecord(r));
            if (done) {
                return;
            }
        }
        grant();
    }

    private ReceivedRecord<K, V> toRecord(Received r) {
        String topic = r.partition().topic();
        Record record = r.record();
        K key = options.keyDeserializer().deserialize(topic, record.hasKey() ? record.getKey().toByteArray() : null);
        V value = options.valueDeserializer().deserialize(topic, record.hasValue() ? record.getValue().toByteArray() : null);
        List<Header> headers = record.getHeadersList().stream().map(h -> new Header(h.getKey(), h.getValue().toByteArray())).toList();
        return new ReceivedRecord<>(topic, r.partition().partition(), r.offset(), key, value, headers, record.getTimestampMs());
    }

    private void grant() {
        if (!subscribed) {
            return;
        }
        long target = Math.min(demand, options.prefetchRecords());
        long records = target - buffer.size() - outstandingRecords;
        long bytes = options.prefetchBytes() - bufferedBytes - outstandingBytes;
        if (bytes <= 0) {
            return;
        }
        if (records <= 0) {
            // The broker holds record credit but no byte credit (a large record used it up): a grant must
            // name at least one record, so this one record of slack is the only way to hand over bytes.
            if (outstandingBytes > 0 || outstandingRecords == 0) {
                return;
            }
            records = 1;
        } else if (records < Math.max(1, target / 4) && outstandingRecords > 0
                && outstandingBytes >= options.prefetchBytes() / 4) {
            return; // the broker still has plenty of both: top up later, in fewer, larger grants
        }
        outstandingRecords += records;
        outstandingBytes += bytes;
        requests.tryEmitNext(ConsumeRequest.newBuilder()
                .setCredit(Credit.newBuilder().setRecords(records).setBytes(bytes)).build());
    }

    private void onFailure(int from, Throwable error) {
        if (from != generation || done) {
            return;
        }
        Throwable mapped = Errors.map(error);
        long now = System.nanoTime();
        if (failuresInARow++ == 0) {
            failingSince = now;
        }
        if (!Errors.retriable(mapped) || !retry.withinDeadline(now - failingSince)) {
            fail(mapped);
            return;
        }
        subscribed = false;
        long delay = retry.backoff(failuresInARow - 1).toNanos();
        worker.schedule(this::connect, delay, TimeUnit.NANOSECONDS);
    }

    private void fail(Throwable error) {
        if (!done) {
            sink.error(error);
            stop();
        }
    }

    private void stop() {
        if (done && call == null) {
            return;
        }
        done = true;
        if (requests != null) {
            requests.tryEmitComplete();
        }
        if (call != null) {
            call.dispose();
            call = null;
        }
        buffer.clear();
        worker.dispose();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private record Received(TopicPartition partition, long offset, Record record) {
    }
}
