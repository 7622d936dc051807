package io.sluice.loadtest.harness;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.util.Arrays;

/**
 * Accumulates records for one partition straight into the bytes of a serialized {@code RecordSet}
 * (field 1: Record{key = 1, value = 2, timestamp_ms = 4}), so a batch costs one copy per record and no
 * protobuf objects. Each value is the run's fixed payload whose first 8 bytes carry the record's intended
 * send time ({@link System#nanoTime()}, little-endian), which the consumer reads for publish-to-consume latency.
 */
final class BatchBuilder {
    private final int partition;
    private final int maxBytes;
    private final int maxRecords;
    private final byte[] payload;
    private byte[] buffer;
    private int position;
    private long[] intended;
    private int count;
    private long firstAddedNanos;

    BatchBuilder(int partition, int maxBytes, int maxRecords, byte[] payload) {
        this.partition = partition;
        this.maxBytes = maxBytes;
        this.maxRecords = maxRecords;
        this.payload = payload;
        this.buffer = new byte[Math.min(maxBytes, 1 << 20) + 64];
        this.intended = new long[64];
    }

    int partition() {
        return partition;
    }

    int count() {
        return count;
    }

    long firstAddedNanos() {
        return firstAddedNanos;
    }

    /** True if the record would not fit: the batch must be sent first. An empty batch takes any record. */
    boolean wouldOverflow(byte[] key, long timestampMs) {
        return count > 0 && (count >= maxRecords || position + entrySize(key, timestampMs) > maxBytes);
    }

    void add(byte[] key, long intendedNanos, long timestampMs, long nowNanos) {
        int body = bodySize(key, timestampMs);
        ensureCapacity(1 + varintSize(body) + body);
        if (count == 0) {
            firstAddedNanos = nowNanos;
        }
        byte[] b = buffer;
        int p = position;
        b[p++] = 0x0a; // RecordSet.records, length-delimited
        p = writeVarint(b, p, body);
        if (key != null) {
            b[p++] = 0x0a; // Record.key
            p = writeVarint(b, p, key.length);
            System.arraycopy(key, 0, b, p, key.length);
            p += key.length;
        }
        b[p++] = 0x12; // Record.value
        p = writeVarint(b, p, payload.length);
        System.arraycopy(payload, 0, b, p, payload.length);
        if (payload.length >= 8) {
            writeLongLe(b, p, intendedNanos);
        }
        p += payload.length;
        if (timestampMs != 0) {
            b[p++] = 0x20; // Record.timestamp_ms, varint
            p = writeVarint(b, p, timestampMs);
        }
        position = p;
        if (count == intended.length) {
            intended = Arrays.copyOf(intended, count * 2);
        }
        intended[count++] = intendedNanos;
    }

    /** Takes the batch and empties the builder. */
    InFlightBatch take() {
        ByteString records = UnsafeByteOperations.unsafeWrap(Arrays.copyOf(buffer, position));
        InFlightBatch batch = new InFlightBatch(partition, count, records, Arrays.copyOf(intended, count));
        position = 0;
        count = 0;
        return batch;
    }

    private int bodySize(byte[] key, long timestampMs) {
        int size = 1 + varintSize(payload.length) + payload.length;
        if (key != null) {
            size += 1 + varintSize(key.length) + key.length;
        }
        if (timestampMs != 0) {
            size += 1 + varintSize(timestampMs);
        }
        return size;
    }

    private int entrySize(byte[] key, long timestampMs) {
        int body = bodySize(key, timestampMs);
        return 1 + varintSize(body) + body;
    }

    private void ensureCapacity(int extra) {
        if (position + extra > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + extra));
        }
    }

    static int varintSize(long value) {
        int size = 1;
        while ((value & ~0x7fL) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    private static int writeVarint(byte[] b, int p, long value) {
        while ((value & ~0x7fL) != 0) {
            b[p++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        b[p++] = (byte) value;
        return p;
    }

    private static void writeLongLe(byte[] b, int p, long value) {
        for (int i = 0; i < 8; i++) {
            b[p + i] = (byte) (value >>> (8 * i));
        }
    }
}
