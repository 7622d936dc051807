package io.sluice.client;

/** Turns the bytes of a key or value back into an object. Must be thread-safe; {@code null} stays {@code null}. */
@FunctionalInterface
public interface Deserializer<T> {
    T deserialize(String topic, byte[] data);
}
