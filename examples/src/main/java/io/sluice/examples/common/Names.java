package io.sluice.examples.common;

import java.util.concurrent.ThreadLocalRandom;

/** Topic and group names. */
public final class Names {
    private Names() {
    }

    /**
     * {@code base} with a random suffix: each run gets topics and groups of its own, so a rerun against the
     * same broker never starts from an earlier run's records or committed offsets.
     */
    public static String unique(String base) {
        return base + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
    }
}
