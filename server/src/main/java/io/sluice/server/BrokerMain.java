package io.sluice.server;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.config.ConfigException;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** {@code sluice broker}: runs a broker in the foreground until SIGTERM or Ctrl-C. */
public final class BrokerMain {
    private BrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        BrokerConfig config;
        try {
            config = BrokerConfig.load(args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("sluice broker: " + e.getMessage());
            System.exit(2);
            return;
        }
        SluiceBroker broker = SluiceBroker.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "sluice-shutdown"));
        broker.awaitTermination();
    }
}
