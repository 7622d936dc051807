package io.sluice.cli;

import io.sluice.client.SluiceClient;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every command that talks to a broker shares. */
final class ClientOptions {
    static final String DEFAULT_BOOTSTRAP = "localhost:7070";

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Broker address; default: $SLUICE_BOOTSTRAP, else " + DEFAULT_BOOTSTRAP + ".")
    String bootstrap;

    @Option(names = "--retry-for", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to keep retrying while the broker is unreachable (default: ${DEFAULT-VALUE}).")
    Duration retryFor;

    @Option(names = "--verbose", description = "On failure, print the stack trace too.")
    boolean verbose;

    String bootstrap(Io io) {
        if (bootstrap != null) {
            return bootstrap;
        }
        return io.env().getOrDefault("SLUICE_BOOTSTRAP", DEFAULT_BOOTSTRAP);
    }

    SluiceClient connect(Io io) {
        return SluiceClient.builder().bootstrap(bootstrap(io)).retryDeadline(retryFor).build();
    }
}
