package io.sluice.loadtest.harness;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the intended send time that {@link BatchBuilder} put at the start of every value, straight from the
 * serialized RecordSet bytes, without building protobuf objects.
 */
final class RecordSetReader {
    /** Receives one record's send time. */
    interface SendTimeSink {
        void accept(long intendedNanos);
    }

    private RecordSetReader() {
    }

    static void forEachSendTime(ByteString recordSet, SendTimeSink sink) {
        ByteBuffer in = recordSet.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            int tag = (int) readVarint(in);
            if (tag != 0x0a) {
                skip(in, tag);
                continue;
            }
            int end = (int) readVarint(in) + in.position();
            while (in.position() < end) {
                int field = (int) readVarint(in);
                if (field == 0x12) {
                    int length = (int) readVarint(in);
                    if (length >= 8) {
                        sink.accept(in.getLong(in.position()));
                    }
                    in.position(in.position() + length);
                } else {
                    skip(in, field);
                }
            }
        }
    }

    private static void skip(ByteBuffer in, int tag) {
        switch (tag & 7) {
            case 0 -> readVarint(in);
            case 1 -> in.position(in.position() + 8);
            case 2 -> {
                int length = (int) readVarint(in);
                in.position(in.position() + length);
            }
            case 5 -> in.position(in.position() + 4);
            default -> throw new IllegalArgumentException("unsupported wire type in RecordSet: " + (tag & 7));
        }
    }

    private static long readVarint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("malformed varint");
    }
}
