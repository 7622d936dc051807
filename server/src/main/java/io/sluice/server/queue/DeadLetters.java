package io.sluice.server.queue;

import com.google.protobuf.ByteString;
import io.sluice.proto.Murmur2;
import io.sluice.proto.v1.Compression;
import io.sluice.proto.v1.DeadLetter;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.Header;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordBatch;
import io.sluice.proto.v1.RecordSet;
import io.sluice.server.error.SluiceException;
import io.sluice.server.log.AppendBatch;
import io.sluice.server.log.AppendResult;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.LogReadResult;
import io.sluice.server.log.MetaWrites;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.Topic;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Dead-letter topics: writing a dead letter (the record with sluice.dlq.* headers), reading them back
 * with their reasons, and moving them back for another try.
 */
final class DeadLetters {
    static final String PREFIX = "sluice.dlq.";
    static final String TOPIC = PREFIX + "topic";
    static final String PARTITION = PREFIX + "partition";
    static final String OFFSET = PREFIX + "offset";
    static final String QUEUE = PREFIX + "queue";
    static final String DELIVERY_COUNT = PREFIX + "delivery.count";
    static final String REASON = PREFIX + "reason";
    static final String TIME = PREFIX + "time";
    private static final long MAX_READ_BYTES = 1 << 20;

    private final LogManager logs;
    private final QueueStore store;

    DeadLetters(LogManager logs, QueueStore store) {
        this.logs = logs;
        this.store = store;
    }

    /** The record as a dead letter: its own key, value, timestamp and headers, and where, why and when it failed. */
    static Record deadLetter(Entry entry, String queue, long nowMs) {
        return entry.record.toBuilder()
                .addHeaders(header(TOPIC, entry.partition.log.id().topic()))
                .addHeaders(header(PARTITION, String.valueOf(entry.partition.partition)))
                .addHeaders(header(OFFSET, String.valueOf(entry.offset)))
                .addHeaders(header(QUEUE, queue))
                .addHeaders(header(DELIVERY_COUNT, String.valueOf(entry.deliveries)))
                .addHeaders(header(REASON, entry.deadLetterReason))
                .addHeaders(header(TIME, String.valueOf(nowMs)))
                .build();
    }

    /**
     * Appends dead letters to partition {@code partition} (modulo its partition count) of {@code dlqTopic},
     * creating it on first use with {@code partitions} partitions, and writes {@code alongside} (the queue's
     * state without them) in the same atomic write. Blocking only when the topic is created.
     */
    CompletableFuture<AppendResult> append(String dlqTopic, int partitions, int partition, List<Record> deadLetters,
                                           MetaWrites alongside) {
        try {
            Topic topic = logs.getOrCreate(dlqTopic, partitions);
            PartitionLog log = topic.partition(partition % topic.partitionCount());
            RecordSet set = RecordSet.newBuilder().addAllRecords(deadLetters).build();
            long maxTimestamp = deadLetters.stream().mapToLong(Record::getTimestampMs).max().orElse(0);
            return log.append(new AppendBatch(set.toByteString(), deadLetters.size(), Compression.COMPRESSION_NONE,
                    maxTimestamp, topic.config().fsync()), alongside).toFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Up to {@code max} dead letters of the topic, partition by partition. Blocking. */
    List<DeadLetter> peek(String dlqTopic, int max, boolean fromBeginning) {
        Topic topic = logs.topic(dlqTopic);
        List<DeadLetter> out = new ArrayList<>();
        for (PartitionLog log : topic.partitions()) {
            int partition = log.id().partition();
            long from = fromBeginning ? 0 : store.redrivePosition(topic.name(), topic.id(), partition);
            readAll(log, from, max - out.size(), (offset, record) -> out.add(describe(topic.name(), partition, offset, record)));
            if (out.size() >= max) {
                break;
            }
        }
        return out;
    }

    /**
     * Moves up to {@code max} dead letters (0: all) back, in order, to their original topic and partition, or to
     * {@code toTopic}; each run of records bound for one partition is one append that also advances the
     * dead-letter topic's redrive position, atomically. Blocking; one redrive at a time.
     */
    synchronized long redrive(String dlqTopic, String toTopic, long max) {
        Topic topic = logs.topic(dlqTopic);
        Topic fixedTarget = toTopic.isEmpty() ? null : logs.topic(toTopic);
        if (fixedTarget != null && fixedTarget.name().equals(topic.name())) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "Cannot redrive '" + dlqTopic + "' into itself");
        }
        long limit = max <= 0 ? Long.MAX_VALUE : max;
        long moved = 0;
        for (PartitionLog log : topic.partitions()) {
            int partition = log.id().partition();
            long position = store.redrivePosition(topic.name(), topic.id(), partition);
            while (moved < limit) {
                List<Pending> run = new ArrayList<>();
                long remaining = limit - moved;
                long[] next = {position};
                read(log, position, (int) Math.min(remaining, 10_000), (offset, record) -> {
                    Pending pending = new Pending(offset, strip(record), target(fixedTarget, partition, record, offset, dlqTopic));
                    if (!run.isEmpty() && !run.get(0).target().equals(pending.target())) {
                        return false;
                    }
                    if (!run.isEmpty() && batchBytes(run) + record.getSerializedSize() > pending.target().topic.config().maxBatchBytes()) {
                        return false;
                    }
                    run.add(pending);
                    next[0] = offset + 1;
                    return true;
                });
                if (run.isEmpty()) {
                    break;
                }
                Target target = run.get(0).target();
                RecordSet set = RecordSet.newBuilder().addAllRecords(run.stream().map(Pending::record).toList()).build();
                long maxTimestamp = run.stream().mapToLong(p -> p.record().getTimestampMs()).max().orElse(0);
                target.log().append(new AppendBatch(set.toByteString(), run.size(), Compression.COMPRESSION_NONE, maxTimestamp,
                                target.topic().config().fsync()),
                        store.redrivePosition(topic.name(), topic.id(), partition, next[0])).block();
                moved += run.size();
                position = next[0];
            }
        }
        return moved;
    }

    private record Target(Topic topic, PartitionLog log) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Target t && t.log == log;
        }

        @Override
        public int hashCode() {
            return log.hashCode();
        }
    }

    private record Pending(long offset, Record record, Target target) {
    }

    private static long batchBytes(List<Pending> run) {
        return run.stream().mapToLong(p -> p.record().getSerializedSize()).sum();
    }

    /** Where a dead letter goes back to: its original partition, or by key in {@code fixed}. */
    private Target target(Topic fixed, int dlqPartition, Record record, long offset, String dlqTopic) {
        if (fixed != null) {
            int partition = record.hasKey() ? Murmur2.partition(record.getKey().toByteArray(), fixed.partitionCount())
                    : dlqPartition % fixed.partitionCount();
            return new Target(fixed, fixed.partition(partition));
        }
        String original = header(record, TOPIC);
        String partition = header(record, PARTITION);
        if (original == null || partition == null) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "Record " + offset + " of partition " + dlqPartition
                    + " of '" + dlqTopic + "' has no " + TOPIC + " and " + PARTITION + " headers: redrive it to a "
                    + "named topic instead");
        }
        Topic topic = logs.topic(original);
        int p = Integer.parseInt(partition);
        if (p >= topic.partitionCount()) {
            p = record.hasKey() ? Murmur2.partition(record.getKey().toByteArray(), topic.partitionCount()) : p % topic.partitionCount();
        }
        return new Target(topic, topic.partition(p));
    }

    private interface RecordVisitor {
        /** @return false to stop */
        boolean visit(long offset, Record record);
    }

    /** Visits up to {@code max} records of the log from {@code from} (or its start, if later). */
    private static void read(PartitionLog log, long from, int max, RecordVisitor visitor) {
        long position = Math.max(from, log.startOffset());
        int[] seen = {0};
        while (seen[0] < max && position < log.highWatermark()) {
            LogReadResult read = log.read(position, MAX_READ_BYTES, max - seen[0]);
            if (read.belowStart(position)) {
                position = read.logStartOffset();
                continue;
            }
            long[] next = {position};
            for (RecordBatch batch : read.batches()) {
                boolean whole = StoredRecords.forEach(batch, next[0], log.id().toString(), (offset, record, appendTime) -> {
                    if (seen[0] >= max || !visitor.visit(offset, record)) {
                        return false;
                    }
                    seen[0]++;
                    next[0] = offset + 1;
                    return true;
                });
                if (!whole) {
                    return;
                }
                next[0] = Math.max(next[0], batch.getBaseOffset() + batch.getRecordCount());
            }
            if (next[0] == position) {
                return;
            }
            position = next[0];
        }
    }

    private static void readAll(PartitionLog log, long from, int max, java.util.function.BiConsumer<Long, Record> action) {
        read(log, from, max, (offset, record) -> {
            action.accept(offset, record);
            return true;
        });
    }

    private static DeadLetter describe(String topic, int partition, long offset, Record record) {
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setRecord(record)
                .setOriginalTopic(orEmpty(header(record, TOPIC)))
                .setOriginalPartition((int) number(header(record, PARTITION)))
                .setOriginalOffset(number(header(record, OFFSET)))
                .setQueue(orEmpty(header(record, QUEUE)))
                .setDeliveryCount((int) number(header(record, DELIVERY_COUNT)))
                .setReason(orEmpty(header(record, REASON)))
                .setDeadLetteredMs(number(header(record, TIME)))
                .build();
    }

    /** The record without the sluice.dlq.* headers, as it was before it was dead-lettered. */
    private static Record strip(Record record) {
        Record.Builder out = record.toBuilder().clearHeaders();
        record.getHeadersList().stream().filter(h -> !h.getKey().startsWith(PREFIX)).forEach(out::addHeaders);
        return out.build();
    }

    /** The last value of the header, or null. */
    private static String header(Record record, String key) {
        String value = null;
        for (Header header : record.getHeadersList()) {
            if (header.getKey().equals(key)) {
                value = header.getValue().toStringUtf8();
            }
        }
        return value;
    }

    private static Header header(String key, String value) {
        return Header.newBuilder().setKey(key).setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static long number(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
