package io.sluice.server.produce;

import io.sluice.proto.v1.ProducerCredit;
import io.sluice.proto.v1.ThrottleReason;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One credit-aware stream's credit: what the client may still send ({@code available}) and what it sent that
 * is not yet acknowledged ({@code inFlight}). Top-ups grant back up to the current window, so
 * available + inFlight never exceeds it. Lock-free: events come from the network and the log writer.
 */
final class CreditAccount {
    /** Immutable snapshot; what is available may go below zero after a lone oversized batch. */
    record State(long availableRecords, long availableBytes, long inFlightRecords, long inFlightBytes,
                 ThrottleReason notified) {
    }

    private final AtomicReference<State> state = new AtomicReference<>(
            new State(0, 0, 0, 0, ThrottleReason.THROTTLE_REASON_NONE));

    /**
     * Takes credit for a batch; false if it does not fit. A batch fits if its records and bytes are within the
     * credit left, or, so that a window smaller than one batch still makes progress, if nothing else is in
     * flight and some record and byte credit is left (the credit left then goes below zero until acknowledged).
     */
    boolean tryAcquire(long records, long bytes) {
        while (true) {
            State s = state.get();
            boolean alone = s.inFlightRecords() == 0 && s.inFlightBytes() == 0 && s.availableRecords() > 0 && s.availableBytes() > 0;
            boolean fits = alone || (records <= s.availableRecords() && bytes <= s.availableBytes());
            if (!fits) {
                return false;
            }
            State next = new State(s.availableRecords() - records, s.availableBytes() - bytes,
                    s.inFlightRecords() + records, s.inFlightBytes() + bytes, s.notified());
            if (state.compareAndSet(s, next)) {
                return true;
            }
        }
    }

    /** The batch is done (acknowledged or failed): its credit leaves the stream, then the account is topped up. */
    ProducerCredit release(long records, long bytes, Throttle throttle) {
        return update(records, bytes, throttle);
    }

    /** Tops the account up to the window of {@code throttle}; what to send the client, or null for nothing. */
    ProducerCredit topUp(Throttle throttle) {
        return update(0, 0, throttle);
    }

    private ProducerCredit update(long releasedRecords, long releasedBytes, Throttle throttle) {
        while (true) {
            State s = state.get();
            long inFlightRecords = s.inFlightRecords() - releasedRecords;
            long inFlightBytes = s.inFlightBytes() - releasedBytes;
            long records = Math.max(0, throttle.target().records() - s.availableRecords() - inFlightRecords);
            long bytes = Math.max(0, throttle.target().bytes() - s.availableBytes() - inFlightBytes);
            if (throttle.capped()) {
                // Paced by a quota: the stream holds at most what the buckets hold; records come with bytes.
                bytes = Math.min(bytes, Math.max(0, throttle.grantCapBytes() - Math.max(0, s.availableBytes())));
                if (bytes == 0) {
                    records = 0;
                }
            }
            boolean grant = records > 0 || bytes > 0;
            // A throttle with nothing to grant is told once per reason; a grant always carries its reason.
            boolean notice = !grant && throttle.reason() != s.notified();
            State next = new State(s.availableRecords() + records, s.availableBytes() + bytes, inFlightRecords,
                    inFlightBytes, grant || notice ? throttle.reason() : s.notified());
            if (state.compareAndSet(s, next)) {
                if (!grant && !notice) {
                    return null;
                }
                return ProducerCredit.newBuilder().setRecords(records).setBytes(bytes).setReason(throttle.reason())
                        .setExpectedWaitMs(throttle.expectedWaitMs()).setMessage(throttle.message()).build();
            }
        }
    }

    State state() {
        return state.get();
    }
}
