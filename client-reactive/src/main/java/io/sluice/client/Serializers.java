package io.sluice.client;

import com.google.protobuf.MessageLite;
import java.nio.charset.StandardCharsets;

/** The stock serializers. */
public final class Serializers {
    private Serializers() {
    }

    public static Serializer<byte[]> bytes() {
        return (topic, data) -> data;
    }

    public static Serializer<String> string() {
        return (topic, data) -> data == null ? null : data.getBytes(StandardCharsets.UTF_8);
    }

    /** Any Protobuf message, in its binary form. */
    public static <M extends MessageLite> Serializer<M> protobuf() {
        return (topic, data) -> data == null ? null : data.toByteArray();
    }
}
