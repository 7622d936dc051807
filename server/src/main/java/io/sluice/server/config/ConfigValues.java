package io.sluice.server.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * Explicit settings laid over a {@link ConfigDef}'s defaults: the shared core of per-object configs (a
 * topic's, a queue's). Immutable; {@link #alter} returns a validated copy.
 */
final class ConfigValues {
    private final ConfigDef def;
    private final Map<String, Object> overrides;
    private final Map<String, Object> effective;

    private ConfigValues(ConfigDef def, Map<String, Object> overrides) {
        this.def = def;
        this.overrides = Map.copyOf(overrides);
        this.effective = def.withDefaults(overrides);
    }

    /** Parses explicit settings; ConfigException for unknown keys or bad values. */
    static ConfigValues parse(ConfigDef def, Map<String, String> raw) {
        return new ConfigValues(def, def.parse(raw));
    }

    /** A copy with some keys set and others back to their defaults; validates the new values. */
    ConfigValues alter(Map<String, String> set, Iterable<String> reset) {
        Map<String, Object> next = new TreeMap<>(overrides);
        reset.forEach(name -> next.remove(def.key(name).name()));
        next.putAll(def.parse(set));
        return new ConfigValues(def, next);
    }

    /** The effective (parsed) value of a declared setting. */
    Object get(String name) {
        return effective.get(name);
    }

    /** Only the explicit overrides, as strings: what is persisted. */
    Map<String, String> overridesAsStrings() {
        return asStrings(overrides);
    }

    /** Every setting with its effective value, as strings. */
    Map<String, String> effectiveAsStrings() {
        return asStrings(effective);
    }

    private static Map<String, String> asStrings(Map<String, Object> values) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }
}
