package io.sluice.loadtest.harness.report;

import java.math.BigDecimal;
import java.math.MathContext;

/** A minimal streaming JSON writer: enough for summary.json, no dependency. NaN and infinities become null. */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    private final StringBuilder indent = new StringBuilder();
    private boolean first = true;

    JsonWriter beginObject() {
        return open('{');
    }

    JsonWriter endObject() {
        return close('}');
    }

    JsonWriter beginArray() {
        return open('[');
    }

    JsonWriter endArray() {
        return close(']');
    }

    JsonWriter name(String name) {
        separator();
        string(name);
        out.append(": ");
        first = true; // the value that follows needs no separator
        return this;
    }

    JsonWriter value(String value) {
        separator();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    JsonWriter value(long value) {
        separator();
        out.append(value);
        return this;
    }

    JsonWriter value(double value) {
        separator();
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            out.append("null");
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            // 6 significant digits: plenty for measurements, and short.
            out.append(new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString());
        }
        return this;
    }

    JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, double value) {
        return name(name).value(value);
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private JsonWriter open(char bracket) {
        separator();
        out.append(bracket);
        indent.append("  ");
        first = true;
        return this;
    }

    private JsonWriter close(char bracket) {
        indent.setLength(indent.length() - 2);
        if (!first) {
            out.append('\n').append(indent);
        }
        out.append(bracket);
        first = false;
        return this;
    }

    private void separator() {
        if (first) {
            if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
                out.append('\n').append(indent);
            }
            first = false;
        } else {
            out.append(",\n").append(indent);
        }
    }

    private void string(String s) {
        out.append('"');
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
        out.append('"');
    }
}
