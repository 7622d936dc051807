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
        if (keys.containsKey(name)) {
            throw new IllegalStateException("config defined twice: " + name);
        }
        keys.put(name, new ConfigKey(name, type, defaultValue, validator, doc));
        return this;
    }

    public Collection<ConfigKey> keys() {
        return Collections.unmodifiableCollection(keys.values());
    }

    public ConfigKey key(String name) {
        ConfigKey key = keys.get(name);
        if (key == null) {
            throw new ConfigException(name, "Unknown config '" + name + "'; known configs: " + keys.keySet());
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
                    .append(" | `").append(k.defaultValue()).append("` | ").append(k.validator().describe())
                    .append(" | ").append(k.doc()).append(" |\n");
        }
        return out.toString();
    }
}
