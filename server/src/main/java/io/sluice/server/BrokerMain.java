package io.sluice.server;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.config.ConfigException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * {@code sluice broker}: runs a broker in the foreground until SIGTERM or Ctrl-C, which drain it (see
 * {@link SluiceBroker#close}) within shutdown.timeout.ms.
 */
public final class BrokerMain {
    /** The system property logback.xml picks its appender by. */
    static final String LOG_FORMAT_PROPERTY = "sluice.log.format";

    private BrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        BrokerConfig config;
        try {
            config = BrokerConfig.load(args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("sluice broker: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Before the first logger exists: logging initializes once, with this format.
        System.setProperty(LOG_FORMAT_PROPERTY, config.logFormat());
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        // Hooked before the start, so that a SIGTERM right after "listening" (or during the start) still drains.
        CompletableFuture<SluiceBroker> started = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                started.join().close();
            } catch (java.util.concurrent.CompletionException e) {
                // It never started: nothing to close.
            }
        }, "sluice-shutdown"));
        SluiceBroker broker;
        try {
            broker = SluiceBroker.start(config);
        } catch (RuntimeException e) {
            started.completeExceptionally(e);
            throw e;
        }
        started.complete(broker);
        broker.awaitTermination();
    }
}
