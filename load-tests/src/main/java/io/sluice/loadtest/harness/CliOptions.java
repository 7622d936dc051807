package io.sluice.loadtest.harness;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** {@code SCENARIO [--name value | --name=value | --flag]...}, with every option read at most once and unknown ones rejected. */
final class CliOptions {
    private static final Set<String> FLAGS = Set.of("quiet", "help", "quick", "tsv");

    private final String scenario;
    private final Map<String, String> values;
    private final Set<String> unread;

    private CliOptions(String scenario, Map<String, String> values) {
        this.scenario = scenario;
        this.values = values;
        this.unread = new LinkedHashSet<>(values.keySet());
    }

    static CliOptions parse(String[] args) {
        String scenario = null;
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                if (scenario != null) {
                    throw new IllegalArgumentException("one scenario only, got '" + scenario + "' and '" + arg + "'");
                }
                scenario = arg;
                continue;
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (FLAGS.contains(name)) {
                value = "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
            values.put(name, value);
        }
        return new CliOptions(scenario, values);
    }

    String scenario() {
        return scenario;
    }

    String get(String name) {
        unread.remove(name);
        return values.get(name);
    }

    String get(String name, String fallback) {
        String value = get(name);
        return value != null ? value : fallback;
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(get(name, "false"));
    }

    /** Fails on options nobody read: typos must not silently run a different benchmark. */
    void checkAllRead() {
        if (!unread.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) for this scenario: --" + String.join(", --", unread));
        }
    }
}
