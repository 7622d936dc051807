package io.sluice.client;

/** Turns a key or value into bytes. Must be thread-safe; {@code null} stays {@code null}. */
@FunctionalInterface
public interface Serializer<T> {
    byte[] serialize(String topic, T data);
}
