package io.sluice.server.config;

/**
 * One declared setting: its name, type, default, valid values and documentation; a sensitive one (a
 * password, a token) is masked wherever settings are shown, logs included.
 */
public record ConfigKey(String name, ConfigType type, Object defaultValue, Validator validator, String doc,
                        boolean sensitive) {
    /** What a sensitive value is shown as. */
    public static final String MASK = "[hidden]";

    public ConfigKey(String name, ConfigType type, Object defaultValue, Validator validator, String doc) {
        this(name, type, defaultValue, validator, doc, false);
    }

    /** The value as it may be shown: masked if the setting is sensitive. */
    public String show(Object value) {
        return sensitive ? MASK : String.valueOf(value);
    }

    /** Parses and validates a raw value for this key, throwing a ConfigException that names the key. */
    public Object parse(String raw) {
        Object value;
        try {
            value = type.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, "Invalid value '" + raw + "' for config '" + name + "': expected "
                    + type.name().toLowerCase(java.util.Locale.ROOT) + (e.getMessage() == null || e instanceof NumberFormatException ? "" : " (" + e.getMessage() + ")"));
        }
        String problem = validator.check(value);
        if (problem != null) {
            throw new ConfigException(name, "Invalid value '" + raw + "' for config '" + name + "': " + problem);
        }
        return value;
    }

    /** The command-line flag for this key: {@code data.dir} becomes {@code --data-dir}. */
    public String flag() {
        return "--" + name.replace('.', '-');
    }

    /** The environment variable for this key: {@code data.dir} becomes {@code SLUICE_DATA_DIR}. */
    public String envVar() {
        return "SLUICE_" + name.replace('.', '_').replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }
}
