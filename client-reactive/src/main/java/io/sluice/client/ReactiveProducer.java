package io.sluice.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.v1.RecordSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Sends records in per-partition batches, encoded as the broker stores them (a RecordSet inside a
 * RecordBatch), so the broker validates and appends without re-encoding.
 *
 * <p>Pipeline of one {@link #send(Publisher)}: serialize and place each record on a partition (partition
 * counts come from cached metadata) → gather records for up to {@code linger}, cutting early as soon as one
 * partition's records reach {@code batchBytes} → split what was gathered into one batch per partition →
 * send with at most {@code maxInFlight} batches unacknowledged, retrying retriable failures → one
 * {@link SendResult} per record, in batch order (so in order per partition).
 *
 * <p>With idempotence (the default) delivery is exactly once and in order per partition: each batch carries
 * the producer id (from InitProducer, fetched once, renewed after a delivery timeout) and its partition's next sequence, and after a failure
 * the stream resends the unacknowledged batches as they were, in order, until the delivery timeout; the
 * broker appends each once and answers a resend with the original offsets. Without it, delivery is at least
 * once: a batch retried after a lost acknowledgement may be stored twice, and with {@code maxInFlight > 1} a
 * retried batch may land after a later batch of the same partition.
 */
public final class ReactiveProducer<K, V> implements AutoCloseable {
    /** Upper bound of records gathered in one linger window, whatever their size. */
    private static final int MAX_WINDOW_RECORDS = 64 * 1024;
    /** Protobuf framing of one record inside a RecordSet: the field tag and a length of up to 5 bytes. */
    private static final int RECORD_FRAMING = 6;

    private final ProducerOptions<K, V> options;
    private final MetadataCache metadata;
    private final ProduceStream stream;
    private final RetryPolicy retry;
    /** The idempotent producer id (0 without idempotence), taken at the start of each send. */
    private final ProducerIdentity identity;
    /** Records taken from the application and not yet done (acknowledged, failed or dropped), over all sends. */
    private final java.util.concurrent.atomic.AtomicLong buffered = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong maxBuffered = new java.util.concurrent.atomic.AtomicLong();

    private final ClientMeters meters;

    ReactiveProducer(ProducerOptions<K, V> options, MetadataCache metadata, ProduceStream stream, RetryPolicy retry,
                     ProducerIdentity identity, ClientMeters meters) {
        this.meters = meters;
        this.options = options;
        this.metadata = metadata;
        this.stream = stream;
        this.retry = retry;
        this.identity = identity;
    }

    /** Sends every record; results come back in order per partition. The Flux fails at the first non-retriable error. */
    public <T> Flux<SendResult<T>> send(Publisher<ProducerRecord<K, V, T>> records) {
        // The id first: then each batch reaches the stream as it is formed, in order.
        return identity.id().flatMapMany(id -> Flux.from(records)
                .doOnNext(record -> maxBuffered.accumulateAndGet(buffered.incrementAndGet(), Math::max))
                .concatMap(this::place)
                .windowTimeout(windowRecords(options.batchBytes()), options.linger(), true)
                .concatMap(window -> window.bufferUntil(new BatchFull<T>(options.batchBytes())))
                .concatMapIterable(this::toBatches)
                .flatMapSequential(batch -> sendBatch(batch, id), options.maxInFlight(), 1));
    }

    /**
     * Most records gathered in one linger window: as many 16-byte records as fill a batch, within 64 to
     * MAX_WINDOW_RECORDS. Windows are requested ahead, so this bounds what the producer takes from an
     * unbounded publisher before the broker's credit stops it.
     */
    static int windowRecords(int batchBytes) {
        return Math.max(64, Math.min(MAX_WINDOW_RECORDS, batchBytes / 16));
    }

    /** Sends one record. */
    public <T> Mono<SendResult<T>> send(ProducerRecord<K, V, T> record) {
        return send(Mono.just(record)).single();
    }

    /** Records taken from the application's publishers and not yet acknowledged, failed or dropped: the client's buffer. */
    public long bufferedRecords() {
        return buffered.get();
    }

    /** The most records {@link #bufferedRecords()} has ever been. */
    public long maxBufferedRecords() {
        return maxBuffered.get();
    }

    /** Total time batches have waited for broker credit (with {@link CreditExhausted#WAIT}). */
    public java.time.Duration creditWaitTime() {
        return stream.creditWaitTime();
    }

    /** Ends the producer's stream; sends in progress fail. */
    @Override
    public void close() {
        stream.close();
    }

    private <T> Mono<Placed<T>> place(ProducerRecord<K, V, T> record) {
        byte[] key = options.keySerializer().serialize(record.topic(), record.key());
        byte[] value = options.valueSerializer().serialize(record.topic(), record.value());
        Record.Builder proto = Record.newBuilder()
                .setTimestampMs(record.timestampMs() != null ? record.timestampMs() : System.currentTimeMillis());
        if (key != null) {
            proto.setKey(UnsafeByteOperations.unsafeWrap(key));
        }
        if (value != null) {
            proto.setValue(UnsafeByteOperations.unsafeWrap(value));
        }
        for (Header header : record.headers()) {
            proto.addHeadersBuilder().setKey(header.key()).setValue(ByteString.copyFrom(header.value()));
        }
        Record built = proto.build();
        if (record.partition() != null) {
            return Mono.just(new Placed<>(new TopicPartition(record.topic(), record.partition()), built, record.correlation()));
        }
        return metadata.partitionCount(record.topic()).map(count -> new Placed<>(
                new TopicPartition(record.topic(), options.partitioner().partition(record.topic(), key, count)),
                built, record.correlation()));
    }

    /** Splits gathered records into batches of one partition each, in first-seen order, each within batchBytes. */
    private <T> List<Batch<T>> toBatches(List<Placed<T>> gathered) {
        Map<TopicPartition, List<Placed<T>>> byPartition = new LinkedHashMap<>();
        for (Placed<T> placed : gathered) {
            byPartition.computeIfAbsent(placed.partition(), p -> new ArrayList<>()).add(placed);
        }
        List<Batch<T>> batches = new ArrayList<>();
        byPartition.forEach((partition, records) -> {
            List<Placed<T>> current = new ArrayList<>();
            long bytes = 0;
            for (Placed<T> placed : records) {
                if (!current.isEmpty() && bytes + placed.size() > options.batchBytes()) {
                    batches.add(new Batch<>(partition, current));
                    current = new ArrayList<>();
                    bytes = 0;
                }
                current.add(placed);
                bytes += placed.size();
            }
            batches.add(new Batch<>(partition, current));
            options.partitioner().onBatchClosed(partition.topic(), partition.partition());
        });
        return batches;
    }

    /** Sends one batch; {@code producerId} 0 means not idempotent. */
    private <T> Flux<SendResult<T>> sendBatch(Batch<T> batch, long producerId) {
        RecordSet.Builder set = RecordSet.newBuilder();
        batch.records().forEach(r -> set.addRecords(r.record()));
        ByteString payload = BatchCodec.compress(options.compression().proto, set.build().toByteString());
        ProduceRequest.Builder request = ProduceRequest.newBuilder()
                .setTopic(batch.partition().topic())
                .setPartition(batch.partition().partition())
                .setAcks(options.acks().proto)
                .setBatch(RecordBatch.newBuilder().setRecordCount(batch.records().size())
                        .setCompression(options.compression().proto)
                        .setRecords(payload));
        boolean acked = options.acks() != Acks.NONE;
        // Idempotent batches are resent by the stream itself, in order and with their sequence; others are
        // retried here, each on its own.
        Mono<ProduceResponse> response = producerId != 0
                ? stream.send(request.setProducerId(producerId), acked)
                : Mono.defer(() -> stream.send(request, acked)).retryWhen(retry.toRetry());
        long[] handedAt = {0};
        return response
                .doOnSubscribe(s -> handedAt[0] = System.nanoTime())
                .doOnSuccess(answer -> meters.sent(batch.partition().topic(), batch.records().size(), payload.size(),
                        System.nanoTime() - handedAt[0]))
                .doOnError(meters::sendFailed)
                .doFinally(signal -> buffered.addAndGet(-batch.records().size()))
                .flatMapIterable(answer -> results(batch, answer, acked));
    }

    private static <T> List<SendResult<T>> results(Batch<T> batch, ProduceResponse response, boolean acked) {
        List<SendResult<T>> results = new ArrayList<>(batch.records().size());
        for (int i = 0; i < batch.records().size(); i++) {
            Placed<T> placed = batch.records().get(i);
            results.add(new SendResult<>(batch.partition().topic(), batch.partition().partition(),
                    acked ? response.getBaseOffset() + i : -1, placed.record().getTimestampMs(), placed.correlation()));
        }
        return results;
    }

    /** A serialized record placed on its partition. */
    private record Placed<T>(TopicPartition partition, Record record, T correlation) {
        int size() {
            return record.getSerializedSize() + RECORD_FRAMING;
        }
    }

    private record Batch<T>(TopicPartition partition, List<Placed<T>> records) {
    }

    /** Cuts the gathered records as soon as one partition's share reaches batchBytes. One instance per window. */
    private static final class BatchFull<T> implements Predicate<Placed<T>> {
        private final int batchBytes;
        private final Map<TopicPartition, Long> bytes = new HashMap<>();

        BatchFull(int batchBytes) {
            this.batchBytes = batchBytes;
        }

        @Override
        public boolean test(Placed<T> placed) {
            long total = bytes.merge(placed.partition(), (long) placed.size(), Long::sum);
            if (total >= batchBytes) {
                bytes.clear();
                return true;
            }
            return false;
        }
    }
}
