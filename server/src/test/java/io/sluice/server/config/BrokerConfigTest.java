package io.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {
    @TempDir
    Path dir;

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        Path file = dir.resolve("sluice.properties");
        Files.writeString(file, "port=7001\ndata.dir=/from/file\nhost=127.0.0.2\nmax.partitions.per.topic=9\n");
        Map<String, String> env = Map.of("SLUICE_PORT", "7002", "SLUICE_DATA_DIR", "/from/env");
        BrokerConfig config = BrokerConfig.load(new String[] {"--config", file.toString(), "--port", "7003"}, env);
        assertThat(config.port()).isEqualTo(7003);
        assertThat(config.dataDir()).isEqualTo(Path.of("/from/env"));
        assertThat(config.host()).isEqualTo("127.0.0.2");
        assertThat(config.maxPartitions()).isEqualTo(9);
        assertThat(config.autoCreateTopics()).isFalse();
        assertThat(BrokerConfig.load(new String[0], Map.of()).port()).isEqualTo(7070);
        assertThat(BrokerConfig.load(new String[] {"--data-dir=./x"}, Map.of()).dataDir()).isEqualTo(Path.of("./x"));
    }

    @Test
    void badSettingsNameTheProblem() {
        assertThatThrownBy(() -> BrokerConfig.load(new String[] {"--prot", "1"}, Map.of()))
                .hasMessageContaining("Unknown option '--prot'");
        assertThatThrownBy(() -> BrokerConfig.load(new String[] {"--port", "70000"}, Map.of()))
                .hasMessageContaining("port").hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> BrokerConfig.load(new String[] {"--port"}, Map.of()))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> BrokerConfig.load(new String[0], Map.of("SLUICE_AUTO_CREATE_TOPICS", "maybe")))
                .hasMessageContaining("auto.create.topics").hasMessageContaining("true or false");
    }

    @Test
    void topicConfigsValidateAndKeepOnlyOverrides() {
        TopicConfig config = TopicConfig.parse(Map.of("durability", "fsync"));
        assertThat(config.fsync()).isTrue();
        assertThat(config.retentionMs()).isEqualTo(7L * 24 * 3600 * 1000);
        assertThat(config.retentionBytes()).isEqualTo(1L << 30);
        assertThat(config.overridesAsStrings()).containsOnlyKeys("durability");
        TopicConfig altered = config.alter(Map.of("retention.bytes", "-1"), java.util.List.of("durability"));
        assertThat(altered.fsync()).isFalse();
        assertThat(altered.overridesAsStrings()).containsOnlyKeys("retention.bytes");
    }
}
