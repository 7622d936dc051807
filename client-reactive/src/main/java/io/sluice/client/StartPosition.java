package io.sluice.client;

import java.time.Instant;

/** Where a consumer starts reading, for every partition it reads. */
public sealed interface StartPosition {
    /** The first offset still in each log. */
    static StartPosition earliest() {
        return new Earliest();
    }

    /** Only records appended from now on. The default. */
    static StartPosition latest() {
        return new Latest();
    }

    /** This offset in every partition; beyond a partition's end fails with {@link OffsetOutOfRangeException}. */
    static StartPosition offset(long offset) {
        return new Offset(offset);
    }

    /** The first record at or after this time. */
    static StartPosition timestamp(Instant time) {
        return new Timestamp(time.toEpochMilli());
    }

    io.sluice.proto.v1.StartPosition toProto();

    record Earliest() implements StartPosition {
        public io.sluice.proto.v1.StartPosition toProto() {
            return io.sluice.proto.v1.StartPosition.newBuilder().setEarliest(true).build();
        }
    }

    record Latest() implements StartPosition {
        public io.sluice.proto.v1.StartPosition toProto() {
            return io.sluice.proto.v1.StartPosition.newBuilder().setLatest(true).build();
        }
    }

    record Offset(long offset) implements StartPosition {
        public io.sluice.proto.v1.StartPosition toProto() {
            return io.sluice.proto.v1.StartPosition.newBuilder().setOffset(offset).build();
        }
    }

    record Timestamp(long timestampMs) implements StartPosition {
        public io.sluice.proto.v1.StartPosition toProto() {
            return io.sluice.proto.v1.StartPosition.newBuilder().setTimestampMs(timestampMs).build();
        }
    }
}
