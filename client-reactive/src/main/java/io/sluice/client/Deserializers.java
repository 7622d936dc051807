package io.sluice.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.nio.charset.StandardCharsets;

/** The stock deserializers, the counterparts of {@link Serializers}. */
public final class Deserializers {
    private Deserializers() {
    }

    public static Deserializer<byte[]> bytes() {
        return (topic, data) -> data;
    }

    public static Deserializer<String> string() {
        return (topic, data) -> data == null ? null : new String(data, StandardCharsets.UTF_8);
    }

    /** A Protobuf message, e.g. {@code Deserializers.protobuf(Order.parser())}. */
    public static <M extends MessageLite> Deserializer<M> protobuf(Parser<M> parser) {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return parser.parseFrom(data);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("cannot parse a record of topic '" + topic + "': " + e.getMessage(), e);
            }
        };
    }
}
