package io.sluice.server.config;

import java.util.Locale;

/** The value types a setting can have, each with its parser. */
public enum ConfigType {
    INT {
        @Override
        Object parse(String raw) {
            return Integer.parseInt(raw.trim());
        }
    },
    LONG {
        @Override
        Object parse(String raw) {
            return Long.parseLong(raw.trim());
        }
    },
    DOUBLE {
        @Override
        Object parse(String raw) {
            double v = Double.parseDouble(raw.trim());
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("expected a finite number");
            }
            return v;
        }
    },
    BOOLEAN {
        @Override
        Object parse(String raw) {
            String v = raw.trim().toLowerCase(Locale.ROOT);
            if (v.equals("true")) {
                return true;
            }
            if (v.equals("false")) {
                return false;
            }
            throw new IllegalArgumentException("expected true or false");
        }
    },
    STRING {
        @Override
        Object parse(String raw) {
            return raw.trim();
        }
    };

    /** Parses a raw string; throws IllegalArgumentException (or NumberFormatException) when it does not fit. */
    abstract Object parse(String raw);
}
