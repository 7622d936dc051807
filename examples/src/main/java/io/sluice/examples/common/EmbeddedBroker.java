package io.sluice.examples.common;

import io.sluice.server.SluiceBroker;
import io.sluice.server.config.BrokerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** A broker of the example's own: data in a fresh temp directory, a free loopback port; both gone on close. */
public final class EmbeddedBroker implements AutoCloseable {
    private final Path dataDir;
    private final SluiceBroker broker;

    private EmbeddedBroker(Path dataDir, SluiceBroker broker) {
        this.dataDir = dataDir;
        this.broker = broker;
    }

    public static EmbeddedBroker start() {
        try {
            Path dataDir = Files.createTempDirectory("sluice-example-");
            SluiceBroker broker = SluiceBroker.start(BrokerConfig.of(Map.of(
                    BrokerConfig.HOST, "127.0.0.1",
                    BrokerConfig.PORT, "0", // any free port
                    BrokerConfig.DATA_DIR, dataDir.toString())));
            return new EmbeddedBroker(dataDir, broker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 127.0.0.1:port}, for {@code SluiceClient.connect}. */
    public String bootstrap() {
        return "127.0.0.1:" + broker.port();
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        broker.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
