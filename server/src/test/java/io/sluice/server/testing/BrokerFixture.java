package io.sluice.server.testing;

import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.sluice.server.SluiceBroker;
import io.sluice.server.config.BrokerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real broker for tests: RocksDB in the given directory, Netty on a free loopback port, and a
 * channel to it. Shared with other modules' tests through the server's test jar.
 */
public final class BrokerFixture implements AutoCloseable {
    private final Path dataDir;
    private final Map<String, String> settings;
    private final Clock clock;
    private SluiceBroker broker;
    private ManagedChannel channel;

    private BrokerFixture(Path dataDir, Map<String, String> overrides, Clock clock) {
        this.dataDir = dataDir;
        this.clock = clock;
        this.settings = new HashMap<>(overrides);
        settings.put(BrokerConfig.HOST, "127.0.0.1");
        settings.putIfAbsent(BrokerConfig.PORT, "0");
        // No Prometheus endpoint unless a test asks for one: parallel tests must not compete for its port.
        settings.putIfAbsent(BrokerConfig.METRICS_PORT, "0");
        settings.put(BrokerConfig.DATA_DIR, dataDir.toString());
        start();
    }

    public static BrokerFixture start(Path dataDir) {
        return new BrokerFixture(dataDir, Map.of(), Clock.systemUTC());
    }

    public static BrokerFixture start(Path dataDir, Map<String, String> overrides) {
        return new BrokerFixture(dataDir, overrides, Clock.systemUTC());
    }

    /** A broker whose appends are stamped, and retention judged, by {@code clock} (kept across restarts). */
    public static BrokerFixture start(Path dataDir, Map<String, String> overrides, Clock clock) {
        return new BrokerFixture(dataDir, overrides, clock);
    }

    private void start() {
        broker = SluiceBroker.start(BrokerConfig.of(settings), new SimpleMeterRegistry(), clock);
        // Restarts reuse the port, so clients that reconnect find the same broker.
        settings.put(BrokerConfig.PORT, String.valueOf(broker.port()));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", broker.port()).usePlaintext().build();
    }

    /** Stops the broker cleanly and starts it again on the same data and port. */
    public void restart() {
        closeBroker();
        start();
    }

    public SluiceBroker broker() {
        return broker;
    }

    public int port() {
        return broker.port();
    }

    /** {@code 127.0.0.1:port}, as a client's bootstrap address. */
    public String bootstrap() {
        return "127.0.0.1:" + broker.port();
    }

    public Path dataDir() {
        return dataDir;
    }

    public ManagedChannel channel() {
        return channel;
    }

    private void closeBroker() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        broker.close();
    }

    @Override
    public void close() {
        closeBroker();
    }
}
