package io.sluice.server.queue;

import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.QueueDelivery;
import io.sluice.proto.v1.QueueRecord;
import io.sluice.server.error.SluiceException;
import java.util.LinkedHashSet;
import java.util.Set;
import reactor.core.publisher.FluxSink;

/** One worker's Consume stream in queue mode: its credit and the records locked to it. Confined to the queue's worker. */
final class QueueStream {
    /** A delivery message is sent once it holds this many bytes of records. */
    private static final int MAX_DELIVERY_BYTES = 1 << 20;

    final FluxSink<ConsumeResponse> out;
    /** Records delivered to this stream and locked to it. */
    final Set<Entry> held = new LinkedHashSet<>();
    private long recordCredit;
    private long byteCredit;
    /**
     * Whether anything was sent since the last grant: a record larger than the byte credit left is sent only
     * when nothing was (then the grant itself is smaller than the record), as in log mode.
     */
    private boolean sentSinceGrant;
    private QueueDelivery.Builder delivery;
    private int deliveryBytes;
    boolean joined;
    boolean closed;

    QueueStream(FluxSink<ConsumeResponse> out) {
        this.out = out;
    }

    void addCredit(Credit credit) {
        if (credit.getRecords() <= 0 || credit.getBytes() <= 0) {
            throw new SluiceException(ErrorCode.INVALID_CREDIT, "Credit must grant at least 1 record and 1 byte; got records="
                    + credit.getRecords() + ", bytes=" + credit.getBytes());
        }
        recordCredit = saturatedAdd(recordCredit, credit.getRecords());
        byteCredit = saturatedAdd(byteCredit, credit.getBytes());
        sentSinceGrant = false;
    }

    /** Whether the stream may be sent a record now: credit left, and room on the network or a message open. */
    boolean hasCredit() {
        return !closed && recordCredit > 0 && byteCredit > 0 && (delivery != null || out.requestedFromDownstream() > 0);
    }

    /** Whether a record of {@code bytes} fits the byte credit left. */
    boolean fits(int bytes) {
        return bytes <= byteCredit || !sentSinceGrant;
    }

    /** Adds a record to the delivery message being built; sends it once large. */
    void deliver(QueueRecord record, int bytes) {
        recordCredit--;
        byteCredit -= Math.min(byteCredit, bytes);
        sentSinceGrant = true;
        if (delivery == null) {
            delivery = QueueDelivery.newBuilder();
            deliveryBytes = 0;
        }
        delivery.addRecords(record);
        deliveryBytes += bytes;
        if (deliveryBytes >= MAX_DELIVERY_BYTES) {
            flush();
        }
    }

    /** Sends the delivery message being built, if any. */
    void flush() {
        if (delivery != null) {
            out.next(ConsumeResponse.newBuilder().setDelivery(delivery).build());
            delivery = null;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
