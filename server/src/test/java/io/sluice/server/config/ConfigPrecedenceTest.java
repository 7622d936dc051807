package io.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Flag > environment > config file > default, for every combination of sources; unknown names fail clearly. */
class ConfigPrecedenceTest {
    @TempDir
    Path dir;

    enum Source {
        FLAG, ENV, FILE
    }

    /** Every non-empty set of sources, and none (the default). */
    static Stream<Arguments> sourceSets() {
        List<Arguments> out = new ArrayList<>();
        for (int mask = 0; mask < 8; mask++) {
            EnumSet<Source> set = EnumSet.noneOf(Source.class);
            for (Source s : Source.values()) {
                if ((mask & (1 << s.ordinal())) != 0) {
                    set.add(s);
                }
            }
            out.add(Arguments.of(set));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sourceSets")
    void theHighestSourceThatSetsAValueWins(Set<Source> sources) throws Exception {
        // Each source gives its own value: the one that wins tells which source won.
        Map<Source, String> value = Map.of(Source.FLAG, "7001", Source.ENV, "7002", Source.FILE, "7003");
        List<String> args = new ArrayList<>();
        Map<String, String> env = new HashMap<>();
        if (sources.contains(Source.FLAG)) {
            args.addAll(List.of("--port", value.get(Source.FLAG)));
        }
        if (sources.contains(Source.ENV)) {
            env.put("SLUICE_PORT", value.get(Source.ENV));
        }
        if (sources.contains(Source.FILE)) {
            Path file = dir.resolve("broker.properties");
            Files.writeString(file, "port=" + value.get(Source.FILE) + "\n");
            args.addAll(List.of("--config", file.toString()));
        }
        BrokerConfig config = BrokerConfig.load(args.toArray(String[]::new), env);

        Source winner = sources.contains(Source.FLAG) ? Source.FLAG
                : sources.contains(Source.ENV) ? Source.ENV
                : sources.contains(Source.FILE) ? Source.FILE : null;
        assertThat(config.port()).isEqualTo(winner == null ? 7070 : Integer.parseInt(value.get(winner)));
        assertThat(config.describe()).contains("port=" + config.port() + " ("
                + (winner == null ? "default" : winner.name().toLowerCase()) + ")");
    }

    @Test
    void theConfigFileMayComeFromTheEnvironmentAndSourcesMixPerSetting() throws Exception {
        Path file = dir.resolve("broker.properties");
        Files.writeString(file, "port=7003\nhost=127.0.0.3\nbroker.id=3\n");
        BrokerConfig config = BrokerConfig.load(new String[] {"--broker-id", "1"},
                Map.of("SLUICE_CONFIG", file.toString(), "SLUICE_HOST", "127.0.0.2"));
        assertThat(config.brokerId()).isEqualTo(1);
        assertThat(config.host()).isEqualTo("127.0.0.2");
        assertThat(config.port()).isEqualTo(7003);
        assertThat(config.maxPartitions()).isEqualTo(1024);
    }

    @Test
    void anUnknownFlagNamesItAndTheClosestSetting() {
        assertThatThrownBy(() -> BrokerConfig.load(new String[] {"--metrics-prot", "1"}, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Unknown option '--metrics-prot': did you mean '--metrics-port'?");
    }

    @Test
    void anUnknownSluiceEnvironmentVariableNamesItAndTheClosestOne() {
        assertThatThrownBy(() -> BrokerConfig.load(new String[0], Map.of("SLUICE_DATADIR", "/tmp/x")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Unknown environment variable SLUICE_DATADIR: did you mean SLUICE_DATA_DIR?");
        // Sluice's other variables, and everything without the prefix, are not settings.
        assertThat(BrokerConfig.load(new String[0], Map.of("SLUICE_BOOTSTRAP", "h:1", "SLUICE_HEAP_OPTS", "-Xmx1g",
                "PATH", "/bin")).port()).isEqualTo(7070);
    }

    @Test
    void anUnknownKeyInTheConfigFileNamesItTheFileAndTheClosestSetting() throws Exception {
        Path file = dir.resolve("broker.properties");
        Files.writeString(file, "shutdown.timeout=5000\n");
        assertThatThrownBy(() -> BrokerConfig.load(new String[] {"--config", file.toString()}, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Unknown setting 'shutdown.timeout' in config file " + file
                        + ": did you mean 'shutdown.timeout.ms'?");
    }

    @Test
    void anUnknownTopicConfigSuggestsTheClosestOne() {
        assertThatThrownBy(() -> TopicConfig.parse(Map.of("retention.m", "1")))
                .hasMessageStartingWith("Unknown config 'retention.m'; did you mean 'retention.ms'?");
    }

    @Test
    void sensitiveValuesAreMaskedWhereSettingsAreShown() {
        ConfigDef def = new ConfigDef()
                .define("user", ConfigType.STRING, "sluice", Validator.any(), "Who connects.")
                .defineSensitive("password", ConfigType.STRING, "", Validator.any(), "Their password.");
        Map<String, Object> values = def.withDefaults(def.parse(Map.of("password", "hunter2")));
        String shown = def.describe(values, Map.of("password", "env"));
        assertThat(shown).isEqualTo("user=sluice (default), password=" + ConfigKey.MASK + " (env)");
        assertThat(shown).doesNotContain("hunter2");
        assertThat(def.toMarkdown()).contains("Sensitive: never shown in logs.");
        // The broker's own description shows every setting, once.
        String broker = BrokerConfig.of(Map.of()).describe();
        List<String> names = java.util.Arrays.stream(broker.split(", ")).map(entry -> entry.substring(0, entry.indexOf('=')))
                .toList();
        assertThat(names).containsExactlyElementsOf(BrokerConfig.DEF.keys().stream().map(ConfigKey::name).toList());
    }
}
