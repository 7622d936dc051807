package io.sluice.server.produce;

import io.sluice.proto.v1.ThrottleReason;
import io.sluice.server.quota.RateLimits;
import java.util.function.Supplier;

/**
 * Decides the credit window a stream should have now: the configured window, shrunk by storage pressure
 * and, for a partition of a blocking topic, capped by what its backlog may still take; with byte-rate quotas,
 * grants are also capped by what the quotas' token buckets hold (credit paced to the quota).
 */
public final class CreditPolicy {
    private final CreditWindow window;
    private final Supplier<StoragePressure> storage;

    public CreditPolicy(CreditWindow window, Supplier<StoragePressure> storage) {
        this.window = window;
        this.storage = storage;
    }

    public CreditWindow window() {
        return window;
    }

    /**
     * The window now.
     *
     * @param backlogRoom what the partition's backlog may still take, or null when no backlog limit blocks
     * @param where       the partition, for the message
     */
    public Throttle now(CreditWindow backlogRoom, Object where) {
        return now(backlogRoom, where, RateLimits.NONE);
    }

    /**
     * The window now, under byte-rate quotas too.
     *
     * @param quota the produce quotas of the stream's topic and client (RateLimits.NONE for none)
     */
    public Throttle now(CreditWindow backlogRoom, Object where, RateLimits quota) {
        Throttle throttle = Throttle.none(window);
        StoragePressure pressure = storage.get();
        if (pressure.present()) {
            CreditWindow target = window.scaled(pressure.factor());
            long waitMs = pressure.delayedWriteRate() > 0 ? Math.max(1, window.bytes() * 1000 / pressure.delayedWriteRate()) : 0;
            throttle = new Throttle(target, ThrottleReason.STORAGE_PRESSURE, waitMs,
                    "Credit reduced to " + Math.round(pressure.factor() * 100) + "% of the window: " + pressure.message());
        }
        if (!quota.none()) {
            long room = Math.max(0, quota.available());
            if (room < throttle.target().bytes()) {
                // Expect more once the buckets hold a useful grant: a quarter of the burst, or the window if smaller.
                long chunk = Math.max(1, Math.min(throttle.target().bytes(), quota.capacity() / 4));
                long waitMs = (quota.nanosUntil(chunk) + 999_999) / 1_000_000;
                throttle = new Throttle(throttle.target(), ThrottleReason.QUOTA, waitMs, "Credit paced to the produce quota "
                        + quota.describe() + " bytes/s" + (room == 0 ? ": used up" : ""), room);
            }
        }
        if (backlogRoom != null && (backlogRoom.records() < throttle.target().records()
                || backlogRoom.bytes() < throttle.target().bytes())) {
            boolean full = backlogRoom.records() == 0 || backlogRoom.bytes() == 0;
            throttle = new Throttle(throttle.target().min(backlogRoom), ThrottleReason.BACKLOG_FULL, 0,
                    "Backlog of " + where + (full ? " is at its limit" : " is near its limit")
                            + " (backlog.policy=block): more credit once consumers commit further", throttle.grantCapBytes());
        }
        return throttle;
    }
}
