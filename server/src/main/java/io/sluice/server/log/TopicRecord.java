package io.sluice.server.log;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/** A topic's persisted metadata, and its binary form in the meta column family. */
record TopicRecord(String name, long id, int partitions, Map<String, String> configOverrides) {
    private static final int VERSION = 1;

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(name);
            out.writeLong(id);
            out.writeInt(partitions);
            out.writeInt(configOverrides.size());
            for (Map.Entry<String, String> e : configOverrides.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static TopicRecord decode(byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            int version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException("unknown topic record version " + version);
            }
            String name = in.readUTF();
            long id = in.readLong();
            int partitions = in.readInt();
            int configs = in.readInt();
            Map<String, String> overrides = new TreeMap<>();
            for (int i = 0; i < configs; i++) {
                overrides.put(in.readUTF(), in.readUTF());
            }
            return new TopicRecord(name, id, partitions, overrides);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
