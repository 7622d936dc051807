package io.sluice.loadtest.harness;

import com.google.protobuf.ByteString;

/** An encoded batch and, per record, its intended send time (nanoTime), kept until the batch is acknowledged. */
record InFlightBatch(int partition, int count, ByteString records, long[] intendedNanos) {
}
