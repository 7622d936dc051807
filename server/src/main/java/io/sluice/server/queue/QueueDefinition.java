package io.sluice.server.queue;

import io.sluice.server.config.QueueConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A queue as stored: its name, its topic (with the topic's id, so a topic deleted and created again is
 * noticed), its explicit settings and when it was created.
 */
record QueueDefinition(String name, String topic, long topicId, Map<String, String> overrides, long createdMs) {
    private static final int VERSION = 1;

    QueueDefinition {
        overrides = Map.copyOf(overrides);
    }

    QueueConfig config() {
        return QueueConfig.parse(overrides);
    }

    QueueDefinition withOverrides(Map<String, String> next) {
        return new QueueDefinition(name, topic, topicId, next, createdMs);
    }

    QueueDefinition withTopicId(long id) {
        return new QueueDefinition(name, topic, id, overrides, createdMs);
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(name);
            out.writeUTF(topic);
            out.writeLong(topicId);
            out.writeLong(createdMs);
            out.writeInt(overrides.size());
            for (Map.Entry<String, String> e : new TreeMap<>(overrides).entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static QueueDefinition decode(byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            int version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException("unknown queue record version " + version);
            }
            String name = in.readUTF();
            String topic = in.readUTF();
            long topicId = in.readLong();
            long created = in.readLong();
            int count = in.readInt();
            Map<String, String> overrides = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                overrides.put(in.readUTF(), in.readUTF());
            }
            return new QueueDefinition(name, topic, topicId, overrides, created);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
