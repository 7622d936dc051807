package io.sluice.server.log;

import io.sluice.proto.v1.ErrorCode;
import io.sluice.server.error.SluiceException;
import java.util.regex.Pattern;

/** Kafka's topic naming rules. */
public final class TopicNames {
    public static final int MAX_LENGTH = 249;
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

    private TopicNames() {
    }

    /** Throws INVALID_TOPIC_NAME, saying which rule the name breaks. */
    public static void validate(String name) {
        if (name == null || name.isEmpty()) {
            throw invalid(name, "a topic name must not be empty");
        }
        if (name.equals(".") || name.equals("..")) {
            throw invalid(name, "'.' and '..' are not allowed as topic names");
        }
        if (name.length() > MAX_LENGTH) {
            throw invalid(name.substring(0, 20) + "...", "a topic name is at most " + MAX_LENGTH
                    + " characters, this one has " + name.length());
        }
        if (!LEGAL.matcher(name).matches()) {
            throw invalid(name, "a topic name may contain only ASCII letters, digits, '.', '_' and '-'");
        }
    }

    private static SluiceException invalid(String name, String rule) {
        return new SluiceException(ErrorCode.INVALID_TOPIC_NAME, "Invalid topic name '" + name + "': " + rule);
    }
}
