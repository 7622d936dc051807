package io.sluice.server.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every setting of one scope (broker or topic), declared once. Parsing, validation and the
 * reference documentation all come from these declarations.
 */
public final class ConfigDef {
    private final Map<String, ConfigKey> keys = new LinkedHashMap<>();

    public ConfigDef define(String name, ConfigType type, Object defaultValue, Validator validator, String doc) {
        return define(new ConfigKey(name, type, defaultValue, validator, doc, false));
    }

    /** A setting whose value is never shown (logs, docs): a password, a token. */
    public ConfigDef defineSensitive(String name, ConfigType type, Object defaultValue, Validator validator, String doc) {
        return define(new ConfigKey(name, type, defaultValue, validator, doc, true));
    }

    private ConfigDef define(ConfigKey key) {
        if (keys.containsKey(key.name())) {
            throw new IllegalStateException("config defined twice: " + key.name());
        }
        keys.put(key.name(), key);
        return this;
    }

    /** The declared setting whose name is closest to {@code name} (by edit distance), for "did you mean". */
    public ConfigKey closest(String name) {
        ConfigKey best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (ConfigKey key : keys.values()) {
            int distance = EditDistance.between(name, key.name());
            if (distance < bestDistance) {
                best = key;
                bestDistance = distance;
            }
        }
        return best;
    }

    /**
     * The settings and their values as one line for a log, {@code name=value (origin), ...}, sensitive
     * values masked.
     *
     * @param values  every setting's value, by name
     * @param origins where each value came from (e.g. flag, env, file), by name; absent means default
     */
    public String describe(Map<String, Object> values, Map<String, String> origins) {
        StringBuilder out = new StringBuilder();
        for (ConfigKey key : keys.values()) {
            if (!out.isEmpty()) {
                out.append(", ");
            }
            out.append(key.name()).append('=').append(key.show(values.get(key.name())))
                    .append(" (").append(origins.getOrDefault(key.name(), "default")).append(')');
        }
        return out.toString();
    }

    public boolean has(String name) {
        return keys.containsKey(name);
    }

    public Collection<ConfigKey> keys() {
        return Collections.unmodifiableCollection(keys.values());
    }

    public ConfigKey key(String name) {
        ConfigKey key = keys.get(name);
        if (key == null) {
            throw new ConfigException(name, "Unknown config '" + name + "'"
                    + (keys.isEmpty() ? "" : "; did you mean '" + closest(name).name() + "'?")
                    + " Known configs: " + keys.keySet());
        }
        return key;
    }

    /** Validates explicit settings; rejects unknown keys. Returns the parsed values by name. */
    public Map<String, Object> parse(Map<String, String> raw) {
        Map<String, Object> parsed = new TreeMap<>();
        raw.forEach((name, value) -> parsed.put(name, key(name).parse(value)));
        return parsed;
    }

    /** Explicit values laid over the defaults. */
    public Map<String, Object> withDefaults(Map<String, Object> explicit) {
        Map<String, Object> all = new LinkedHashMap<>();
        keys.values().forEach(k -> all.put(k.name(), explicit.getOrDefault(k.name(), k.defaultValue())));
        return all;
    }

    /** A Markdown table of every setting. */
    public String toMarkdown() {
        StringBuilder out = new StringBuilder("| name | type | default | valid values | description |\n")
                .append("| --- | --- | --- | --- | --- |\n");
        for (ConfigKey k : keys.values()) {
            out.append("| `").append(k.name()).append("` | ").append(k.type().name().toLowerCase(java.util.Locale.ROOT))
                    .append(" | `").append(k.show(k.defaultValue())).append("` | ").append(k.validator().describe())
                    .append(" | ").append(k.doc()).append(k.sensitive() ? " Sensitive: never shown in logs." : "")
                    .append(" |\n");
        }
        return out.toString();
    }
}
