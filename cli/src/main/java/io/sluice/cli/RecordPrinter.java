package io.sluice.cli;

import io.sluice.client.Header;
import io.sluice.client.ReceivedRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;

/** Formats consumed records: text like kafka-console-consumer, or one JSON object a line. */
final class RecordPrinter {
    enum Format { text, json }

    private final Format format;
    private final boolean printKey;
    private final boolean printOffset;
    private final boolean printHeaders;

    RecordPrinter(Format format, boolean printKey, boolean printOffset, boolean printHeaders) {
        this.format = format;
        this.printKey = printKey;
        this.printOffset = printOffset;
        this.printHeaders = printHeaders;
    }

    String format(ReceivedRecord<byte[], byte[]> r) {
        return format == Format.json ? json(r) : text(r);
    }

    /** Tab-separated: [Partition:P Offset:O] [Headers:k=v,...] [key] value; absent keys and values print as null. */
    private String text(ReceivedRecord<byte[], byte[]> r) {
        StringJoiner line = new StringJoiner("\t");
        if (printOffset) {
            line.add("Partition:" + r.partition()).add("Offset:" + r.offset());
        }
        if (printHeaders) {
            StringJoiner headers = new StringJoiner(",");
            r.headers().forEach(h -> headers.add(h.key() + "=" + utf8OrBase64(h.value())));
            line.add(r.headers().isEmpty() ? "NO_HEADERS" : "Headers:" + headers);
        }
        if (printKey) {
            line.add(r.key() == null ? "null" : utf8OrBase64(r.key()));
        }
        line.add(r.value() == null ? "null" : utf8OrBase64(r.value()));
        return line.toString();
    }

    /**
     * Every field, whatever the --print flags: topic, partition, offset, timestamp (ms), key, value, headers.
     * Keys and values are strings when valid UTF-8; otherwise base64, flagged by keyEncoding/valueEncoding.
     */
    private static String json(ReceivedRecord<byte[], byte[]> r) {
        StringBuilder out = new StringBuilder(128).append('{');
        out.append("\"topic\":").append(quote(r.topic()));
        out.append(",\"partition\":").append(r.partition());
        out.append(",\"offset\":").append(r.offset());
        out.append(",\"timestamp\":").append(r.timestampMs());
        bytesField(out, "key", r.key());
        bytesField(out, "value", r.value());
        out.append(",\"headers\":");
        headers(out, r.headers());
        return out.append('}').toString();
    }

    private static void bytesField(StringBuilder out, String name, byte[] bytes) {
        out.append(",\"").append(name).append("\":");
        if (bytes == null) {
            out.append("null");
            return;
        }
        String text = utf8(bytes);
        if (text != null) {
            out.append(quote(text));
        } else {
            out.append(quote(Base64.getEncoder().encodeToString(bytes)));
            out.append(",\"").append(name).append("Encoding\":\"base64\"");
        }
    }

    private static void headers(StringBuilder out, List<Header> headers) {
        out.append('[');
        for (int i = 0; i < headers.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append("{\"key\":").append(quote(headers.get(i).key()));
            bytesField(out, "value", headers.get(i).value());
            out.append('}');
        }
        out.append(']');
    }

    private static String utf8OrBase64(byte[] bytes) {
        String text = utf8(bytes);
        return text != null ? text : "base64:" + Base64.getEncoder().encodeToString(bytes);
    }

    /** The bytes as a string if they are valid UTF-8, else null. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
