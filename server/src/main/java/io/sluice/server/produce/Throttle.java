package io.sluice.server.produce;

import io.sluice.proto.v1.ThrottleReason;

/**
 * The credit window a stream should have now, and why it is smaller than configured.
 *
 * @param target         the window: credit granted and not yet acknowledged should not exceed it
 * @param reason         THROTTLE_REASON_NONE when target is the configured window
 * @param expectedWaitMs when throttled and known: how long until more credit is expected; 0 if unknown
 * @param message        for a human, empty when not throttled
 * @param grantCapBytes  most bytes a stream may hold granted and unused now, whatever the window (what a
 *                       byte-rate quota has in its bucket); Long.MAX_VALUE without quota
 */
public record Throttle(CreditWindow target, ThrottleReason reason, long expectedWaitMs, String message, long grantCapBytes) {
    public Throttle {
        if (grantCapBytes < 0) {
            throw new IllegalArgumentException("a grant cap is never negative: " + grantCapBytes);
        }
    }

    public Throttle(CreditWindow target, ThrottleReason reason, long expectedWaitMs, String message) {
        this(target, reason, expectedWaitMs, message, Long.MAX_VALUE);
    }

    public static Throttle none(CreditWindow window) {
        return new Throttle(window, ThrottleReason.THROTTLE_REASON_NONE, 0, "");
    }

    public boolean throttled() {
        return reason != ThrottleReason.THROTTLE_REASON_NONE;
    }

    public boolean capped() {
        return grantCapBytes != Long.MAX_VALUE;
    }
}
