package io.sluice.server.config;

/** A setting is unknown, or its value does not parse or is out of range. */
public final class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The offending setting's name. */
    public String key() {
        return key;
    }
}
