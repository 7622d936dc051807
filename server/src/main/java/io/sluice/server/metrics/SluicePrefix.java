package io.sluice.server.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Gives every meter the one {@code sluice.} prefix ({@code sluice_} in Prometheus), those of the gRPC, JVM
 * and process binders included, so that one broker's series are found, and told apart, by one prefix.
 */
public final class SluicePrefix implements MeterFilter {
    public static final String PREFIX = "sluice.";

    @Override
    public Meter.Id map(Meter.Id id) {
        return id.getName().startsWith(PREFIX) ? id : id.withName(PREFIX + id.getName());
    }
}
