package io.sluice.server.log;

import io.sluice.proto.v1.RecordBatch;
import java.util.List;

/**
 * Batches read from a partition, each with its base offset set. The first batch may start before the
 * offset asked for (it is the batch holding it); none reaches past {@code highWatermark}. A read from below
 * {@code logStartOffset} (deleted by retention) returns no batch: the caller decides where to go on.
 */
public record LogReadResult(List<RecordBatch> batches, long highWatermark, long logStartOffset) {
    /** Whether the offset read from was already deleted. */
    public boolean belowStart(long fromOffset) {
        return fromOffset < logStartOffset;
    }
}
