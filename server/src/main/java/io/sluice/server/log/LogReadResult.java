package io.sluice.server.log;

import io.sluice.proto.v1.RecordBatch;
import java.util.List;

/**
 * Batches read from a partition, each with its base offset set. The first batch may start before the
 * offset asked for (it is the batch holding it); none reaches past {@code highWatermark}.
 */
public record LogReadResult(List<RecordBatch> batches, long highWatermark) {
}
