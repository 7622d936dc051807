package io.sluice.examples.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.client.SluiceClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The broker an example starts when no --bootstrap is given. */
class EmbeddedBrokerTest {
    @Test
    void servesOnLoopbackAndLeavesNoDataBehind() {
        Path dataDir;
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            dataDir = broker.dataDir();
            assertThat(broker.bootstrap()).startsWith("127.0.0.1:");
            try (SluiceClient client = SluiceClient.connect(broker.bootstrap())) {
                client.admin().createTopic("probe", 2).block(Duration.ofSeconds(10));
                assertThat(client.admin().describeTopic("probe").block(Duration.ofSeconds(10)).partitions()).hasSize(2);
            }
            assertThat(dataDir).isDirectory();
        }
        assertThat(Files.exists(dataDir)).isFalse();
    }
}
