package io.sluice.server.consume;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.sluice.proto.v1.Credit;

/**
 * One consume session's credit totals: granted by the client and used by what the broker sent. Each send
 * records how far the session's records sent are ahead of the records granted (0 when within credit, as
 * the broker cuts batches to fit) and likewise for bytes (a lone record larger than the byte credit may
 * overshoot it). Confined to the session's worker.
 */
final class CreditLedger {
    /** The broker-wide meters every ledger reports to (aggregate: no per-session tag). */
    record Meters(Counter grantedRecords, Counter grantedBytes, DistributionSummary recordsAhead,
                  DistributionSummary bytesAhead) {
    }

    private final Meters meters;
    private long grantedRecords;
    private long grantedBytes;
    private long sentRecords;
    private long sentBytes;

    CreditLedger(Meters meters) {
        this.meters = meters;
    }

    void granted(Credit credit) {
        grantedRecords += credit.getRecords();
        grantedBytes += credit.getBytes();
        meters.grantedRecords().increment(credit.getRecords());
        meters.grantedBytes().increment(credit.getBytes());
    }

    void sent(long records, long bytes) {
        sentRecords += records;
        sentBytes += bytes;
        meters.recordsAhead().record(Math.max(0, sentRecords - grantedRecords));
        meters.bytesAhead().record(Math.max(0, sentBytes - grantedBytes));
    }
}
