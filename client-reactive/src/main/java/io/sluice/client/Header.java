package io.sluice.client;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** A record header. Keys may repeat, as in Kafka. */
public record Header(String key, byte[] value) {
    public Header {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    public static Header of(String key, String value) {
        return new Header(key, value.getBytes(StandardCharsets.UTF_8));
    }

    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }
}
