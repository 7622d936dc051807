package io.sluice.server.produce;

import com.google.protobuf.ByteString;
import io.sluice.proto.codec.BatchCodec;
import io.sluice.proto.codec.CorruptBatchException;
import io.sluice.proto.v1.Compression;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.config.TopicConfig;
import io.sluice.server.error.SluiceException;
import io.sluice.server.log.AppendBatch;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.Topic;
import io.sluice.server.metrics.ProduceMeters;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Turns one ProduceRequest into one append: finds the topic (creating it if the broker allows),
 * validates the batch, picks the partition and appends. Every failure becomes an error response for
 * that batch alone.
 */
public final class ProduceHandler {
    private final LogManager logs;
    private final boolean autoCreateTopics;
    private final int defaultPartitions;
    private final Scheduler metadataScheduler;
    private final BacklogLimiter backlog;

    private final ProduceMeters meters;

    public ProduceHandler(LogManager logs, boolean autoCreateTopics, int defaultPartitions, Scheduler metadataScheduler,
                          BacklogLimiter backlog) {
        this(logs, autoCreateTopics, defaultPartitions, metadataScheduler, backlog, null);
    }

    /** @param meters where appended and failed batches are counted, or null */
    public ProduceHandler(LogManager logs, boolean autoCreateTopics, int defaultPartitions, Scheduler metadataScheduler,
                          BacklogLimiter backlog, ProduceMeters meters) {
        this.meters = meters;
        this.logs = logs;
        this.backlog = backlog;
        this.autoCreateTopics = autoCreateTopics;
        this.defaultPartitions = defaultPartitions;
        this.metadataScheduler = metadataScheduler;
    }

    /** Appends the batch; the Mono always succeeds, with an error response if the batch failed. */
    public Mono<ProduceResponse> handle(ProduceRequest request) {
        return topic(request.getTopic())
                .flatMap(topic -> append(topic, request))
                .onErrorResume(e -> {
                    SluiceException failure = SluiceException.from(e);
                    if (meters != null) {
                        meters.failed(failure.code());
                    }
                    return Mono.just(error(request, failure));
                });
    }

    private Mono<Topic> topic(String name) {
        var existing = logs.find(name);
        if (existing.isPresent()) {
            return Mono.just(existing.get());
        }
        if (!autoCreateTopics) {
            return Mono.fromCallable(() -> logs.topic(name));
        }
        // Creating a topic writes metadata: never on the caller's (gRPC) thread.
        return Mono.fromCallable(() -> logs.getOrCreate(name, defaultPartitions)).subscribeOn(metadataScheduler);
    }

    private Mono<ProduceResponse> append(Topic topic, ProduceRequest request) {
        TopicConfig config = topic.config();
        boolean plain = request.getRecordsCount() > 0;
        if (plain && request.hasBatch()) {
            throw invalid("Set either records or batch in a ProduceRequest, not both");
        }
        ByteString records;
        int declaredCount;
        Compression compression;
        if (plain) {
            records = encode(request);
            declaredCount = request.getRecordsCount();
            compression = Compression.COMPRESSION_NONE;
        } else {
            records = request.getBatch().getRecords();
            declaredCount = request.getBatch().getRecordCount();
            compression = request.getBatch().getCompression();
        }
        if (compression == Compression.UNRECOGNIZED) {
            throw new SluiceException(ErrorCode.INVALID_BATCH, "Unknown compression codec "
                    + request.getBatch().getCompressionValue() + "; use one of none, gzip, lz4, zstd, snappy");
        }
        if (records.isEmpty()) {
            throw new SluiceException(ErrorCode.INVALID_BATCH, "Empty batch for topic '" + topic.name()
                    + "': a ProduceRequest needs at least one record");
        }
        boolean choosePartition = !request.hasPartition();
        // Validated uncompressed (count, record sizes, structure), stored and served compressed as produced.
        RecordSetScan scan = RecordSetScanner.scan(uncompressed(compression, records), choosePartition ? topic.partitionCount() : 0,
                config.maxMessageBytes(), topic.name());
        if (scan.recordCount() != declaredCount) {
            throw new SluiceException(ErrorCode.INVALID_BATCH, "Batch declares record_count=" + declaredCount
                    + " but holds " + scan.recordCount() + " records");
        }
        int partition = choosePartition ? choosePartition(topic, scan) : request.getPartition();
        var log = topic.partition(partition);
        long bytes = records.size();
        var refused = backlog.admit(topic, log, scan.recordCount(), bytes);
        if (refused.isPresent()) {
            throw refused.get();
        }
        AppendBatch batch = new AppendBatch(records, scan.recordCount(), compression, scan.maxTimestampMs(), config.fsync(),
                producerSequence(request));
        long handedAt = System.nanoTime();
        return log.append(batch)
                .doOnSuccess(result -> {
                    backlog.appended(topic, log, scan.recordCount(), bytes);
                    if (meters != null && !result.duplicate()) {
                        meters.appended(topic.name(), scan.recordCount(), bytes, System.nanoTime() - handedAt);
                    }
                })
                .doOnError(e -> backlog.appended(topic, log, scan.recordCount(), bytes))
                .doOnCancel(() -> backlog.appended(topic, log, scan.recordCount(), bytes))
                .map(result -> ProduceResponse.newBuilder()
                .setRequestId(request.getRequestId())
                .setTopic(topic.name())
                .setPartition(partition)
                .setBaseOffset(result.baseOffset())
                .setRecordCount(result.recordCount())
                .setAppendTimeMs(result.appendTimeMs())
                .setDuplicate(result.duplicate())
                .build());
    }

    /** An idempotent producer's id and sequence; its batches must name their partition, as sequences are per partition. */
    private static AppendBatch.ProducerSequence producerSequence(ProduceRequest request) {
        if (request.getProducerId() == 0) {
            return null;
        }
        if (!request.hasPartition()) {
            throw invalid("An idempotent batch (producer_id " + request.getProducerId()
                    + ") must set its partition: sequences are counted per partition");
        }
        if (request.getSequence() < 0) {
            throw invalid("Sequence " + request.getSequence() + " is negative");
        }
        return new AppendBatch.ProducerSequence(request.getProducerId(), request.getSequence());
    }

    private static int choosePartition(Topic topic, RecordSetScan scan) {
        return switch (scan.keyedPartition()) {
            case RecordSetScan.NO_KEY -> topic.nextRoundRobinPartition();
            case RecordSetScan.MIXED -> throw invalid("Keyed records in one batch hash to different partitions of '"
                    + topic.name() + "'; set the partition, or batch records by partition");
            default -> scan.keyedPartition();
        };
    }

    private static ByteString uncompressed(Compression compression, ByteString records) {
        try {
            return BatchCodec.decompress(compression, records);
        } catch (CorruptBatchException e) {
            throw new SluiceException(ErrorCode.INVALID_BATCH, "Batch records are not valid " + compression + " data: "
                    + e.getMessage());
        }
    }

    /** Plain records become one encoded RecordSet; unset timestamps get the broker's time. */
    private static ByteString encode(ProduceRequest request) {
        long now = System.currentTimeMillis();
        RecordSet.Builder set = RecordSet.newBuilder();
        for (Record record : request.getRecordsList()) {
            set.addRecords(record.getTimestampMs() == 0 ? record.toBuilder().setTimestampMs(now).build() : record);
        }
        return set.build().toByteString();
    }

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }

    /** The error response for a batch that failed or was refused. */
    static ProduceResponse error(ProduceRequest request, SluiceException e) {
        ProduceResponse.Builder response = ProduceResponse.newBuilder()
                .setRequestId(request.getRequestId())
                .setTopic(request.getTopic())
                .setErrorCode(e.code())
                .setStatusCode(SluiceException.statusOf(e.code()).getCode().value())
                .setErrorMessage(e.getMessage())
                .setRetryAfterMs(e.retryAfterMs());
        if (request.hasPartition()) {
            response.setPartition(request.getPartition());
        }
        return response.build();
    }
}
