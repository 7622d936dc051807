package io.sluice.client;

import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProducerCredit;
import io.sluice.proto.v1.ThrottleReason;

/** The records and bytes one produce stream may still send, per the broker's grants. Not thread-safe: its owner locks. */
final class Credit {
    private boolean granted;
    private long records;
    private long bytes;
    private ProducerCredit last = ProducerCredit.getDefaultInstance();
    /** The broker is shutting down: nothing more may be sent on this stream, whatever credit is left. */
    private boolean stopped;

    void grant(ProducerCredit credit) {
        granted = true;
        last = credit;
        records += credit.getRecords();
        bytes += credit.getBytes();
        stopped |= credit.getReason() == ThrottleReason.SHUTTING_DOWN;
    }

    /** Whether the broker said it shuts down: batches then wait for the next stream, never fail for credit. */
    boolean stopped() {
        return stopped;
    }

    /** Whether the broker has granted anything yet (until then every batch waits). */
    boolean granted() {
        return granted;
    }

    /** The broker's rule: within the credit left, or alone in flight with some credit left. */
    boolean fits(ProduceRequest request, int unanswered) {
        boolean alone = unanswered == 0 && records > 0 && bytes > 0;
        return granted && !stopped && (alone || (records(request) <= records && bytes(request) <= bytes));
    }

    void take(ProduceRequest request) {
        records -= records(request);
        bytes -= bytes(request);
    }

    /** Why a batch does not fit, with the broker's last throttle reason. */
    String exhausted() {
        return "producer credit exhausted (" + records + " records, " + bytes + " bytes left"
                + (last.getReason() == ThrottleReason.THROTTLE_REASON_NONE ? "" : "; broker throttles: "
                + last.getReason() + ", " + last.getMessage()) + ")";
    }

    static int records(ProduceRequest request) {
        return request.getRecordsCount() > 0 ? request.getRecordsCount() : request.getBatch().getRecordCount();
    }

    static long bytes(ProduceRequest request) {
        return request.getRecordsCount() > 0
                ? request.getRecordsList().stream().mapToLong(r -> r.getSerializedSize()).sum()
                : request.getBatch().getRecords().size();
    }
}
