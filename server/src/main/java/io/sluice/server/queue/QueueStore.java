package io.sluice.server.queue;

import io.sluice.server.log.MetaStore;
import io.sluice.server.log.MetaWrites;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How queues are stored in the broker's metadata, each kind of entry under a prefix of its own:
 * <ul>
 *   <li>{@code queue/<name>}: the {@link QueueDefinition};</li>
 *   <li>{@code queue.p/<name>\0<partition>}: a partition's {@link PartitionState}: every offset below its
 *       floor is settled, and so is every offset in its ranges;</li>
 *   <li>{@code queue.r/<name>\0<partition><offset>}: a {@link Row} per record delivered and not settled
 *       (delivery count, next delivery time, last failure), deleted when it is settled;</li>
 *   <li>{@code queue.redrive/<topic>\0<partition>}: how far a dead-letter topic's partition was redriven.</li>
 * </ul>
 * Numbers are big-endian, so a partition's rows are one key range in offset order.
 */
final class QueueStore {
    private static final byte[] DEFINITION = bytes("queue/");
    private static final byte[] PARTITION = bytes("queue.p/");
    private static final byte[] ROW = bytes("queue.r/");
    private static final byte[] REDRIVE = bytes("queue.redrive/");
    /** Reasons are kept to this many characters. */
    static final int MAX_REASON = 4096;

    /** A partition's settled offsets, and how many records the queue dead-lettered from it. */
    record PartitionState(long floor, long deadLettered, OffsetRanges settled) {
    }

    /** A record delivered and not settled. */
    record Row(int deliveries, long notBeforeMs, String lastFailure) {
    }

    private final MetaStore meta;

    QueueStore(MetaStore meta) {
        this.meta = meta;
    }

    MetaStore meta() {
        return meta;
    }

    List<QueueDefinition> definitions() {
        List<QueueDefinition> out = new ArrayList<>();
        meta.scan(DEFINITION).values().forEach(v -> out.add(QueueDefinition.decode(v)));
        return out;
    }

    void putDefinition(MetaWrites.Builder writes, QueueDefinition definition) {
        writes.put(concat(DEFINITION, bytes(definition.name())), definition.encode());
    }

    /** The partition's stored state, or null if there is none. Blocking. */
    PartitionState partition(String queue, int partition) {
        byte[] value = meta.get(partitionKey(queue, partition));
        if (value == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            in.readByte();
            long floor = in.readLong();
            long deadLettered = in.readLong();
            int count = in.readInt();
            OffsetRanges settled = new OffsetRanges();
            for (int i = 0; i < count; i++) {
                settled.add(in.readLong(), in.readLong());
            }
            return new PartitionState(floor, deadLettered, settled);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void putPartition(MetaWrites.Builder writes, String queue, int partition, long floor, long deadLettered,
                      OffsetRanges settled) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(25 + 16 * settled.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeLong(floor);
            out.writeLong(deadLettered);
            out.writeInt(settled.size());
            settled.forEach((from, to) -> {
                try {
                    out.writeLong(from);
                    out.writeLong(to);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writes.put(partitionKey(queue, partition), bytes.toByteArray());
    }

    /** The partition's rows by offset. Blocking. */
    Map<Long, Row> rows(String queue, int partition) {
        byte[] prefix = rowPrefix(queue, partition);
        Map<Long, Row> out = new TreeMap<>();
        meta.scan(prefix).forEach((key, value) -> {
            long offset = ByteBuffer.wrap(key, prefix.length, 8).getLong();
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
                in.readByte();
                out.put(offset, new Row(in.readInt(), in.readLong(), in.readUTF()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return out;
    }

    void putRow(MetaWrites.Builder writes, String queue, int partition, long offset, Row row) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + row.lastFailure().length());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeInt(row.deliveries());
            out.writeLong(row.notBeforeMs());
            out.writeUTF(row.lastFailure());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writes.put(rowKey(queue, partition, offset), bytes.toByteArray());
    }

    void deleteRow(MetaWrites.Builder writes, String queue, int partition, long offset) {
        writes.delete(rowKey(queue, partition, offset));
    }

    /** Adds the deletion of everything stored for the queue, or only its state when {@code keepDefinition}. Blocking (scans). */
    void deleteQueue(MetaWrites.Builder writes, String queue, boolean keepDefinition) {
        if (!keepDefinition) {
            writes.delete(concat(DEFINITION, bytes(queue)));
        }
        byte[] name = concat(bytes(queue), new byte[] {0});
        meta.scan(concat(PARTITION, name)).keySet().forEach(writes::delete);
        meta.scan(concat(ROW, name)).keySet().forEach(writes::delete);
    }

    /** The next offset to redrive in a dead-letter topic's partition: 0 if never redriven, or if the topic is a new one. */
    long redrivePosition(String topic, long topicId, int partition) {
        byte[] value = meta.get(redriveKey(topic, partition));
        if (value == null) {
            return 0;
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        return buffer.getLong() == topicId ? buffer.getLong() : 0;
    }

    MetaWrites redrivePosition(String topic, long topicId, int partition, long next) {
        return MetaWrites.builder()
                .put(redriveKey(topic, partition), ByteBuffer.allocate(16).putLong(topicId).putLong(next).array())
                .build();
    }

    static String reason(String reason) {
        return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON);
    }

    private static byte[] partitionKey(String queue, int partition) {
        return ByteBuffer.allocate(PARTITION.length + queue.length() + 5)
                .put(PARTITION).put(bytes(queue)).put((byte) 0).putInt(partition).array();
    }

    private static byte[] rowPrefix(String queue, int partition) {
        return ByteBuffer.allocate(ROW.length + queue.length() + 5)
                .put(ROW).put(bytes(queue)).put((byte) 0).putInt(partition).array();
    }

    private static byte[] rowKey(String queue, int partition, long offset) {
        byte[] prefix = rowPrefix(queue, partition);
        return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(offset).array();
    }

    private static byte[] redriveKey(String topic, int partition) {
        return ByteBuffer.allocate(REDRIVE.length + topic.length() + 5)
                .put(REDRIVE).put(bytes(topic)).put((byte) 0).putInt(partition).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    /** Queue and topic names are ASCII, so their length in bytes is their length in characters. */
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
