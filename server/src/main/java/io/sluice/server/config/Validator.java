package io.sluice.server.config;

import java.util.List;

/** Checks a parsed value; returns null when it is valid, otherwise what is wrong with it. */
@FunctionalInterface
public interface Validator {
    String check(Object value);

    /** A short human description, for docs. */
    default String describe() {
        return "";
    }

    static Validator any() {
        return value -> null;
    }

    static Validator atLeast(long min) {
        return between(min, Long.MAX_VALUE);
    }

    static Validator between(long min, long max) {
        return new Validator() {
            @Override
            public String check(Object value) {
                long v = ((Number) value).longValue();
                return v < min || v > max ? "must be " + describe() + ", got " + v : null;
            }

            @Override
            public String describe() {
                if (max == Long.MAX_VALUE || (max == Integer.MAX_VALUE)) {
                    return ">= " + min;
                }
                return "between " + min + " and " + max;
            }
        };
    }

    /** A decimal number in {@code [min, max]}. */
    static Validator betweenDecimal(double min, double max) {
        return new Validator() {
            @Override
            public String check(Object value) {
                double v = ((Number) value).doubleValue();
                return v < min || v > max ? "must be " + describe() + ", got " + v : null;
            }

            @Override
            public String describe() {
                return "between " + min + " and " + max;
            }
        };
    }

    /** -1 (no limit) or at least {@code min}. */
    static Validator unlimitedOrAtLeast(long min) {
        return new Validator() {
            @Override
            public String check(Object value) {
                long v = ((Number) value).longValue();
                return v == -1 || v >= min ? null : "must be " + describe() + ", got " + v;
            }

            @Override
            public String describe() {
                return "-1 (no limit) or >= " + min;
            }
        };
    }

    static Validator oneOf(String... allowed) {
        List<String> values = List.of(allowed);
        return new Validator() {
            @Override
            public String check(Object value) {
                return values.contains(value) ? null : "must be one of " + values + ", got '" + value + "'";
            }

            @Override
            public String describe() {
                return "one of " + String.join(", ", values);
            }
        };
    }

    static Validator nonEmpty() {
        return new Validator() {
            @Override
            public String check(Object value) {
                return value.toString().isEmpty() ? "must not be empty" : null;
            }

            @Override
            public String describe() {
                return "not empty";
            }
        };
    }
}
