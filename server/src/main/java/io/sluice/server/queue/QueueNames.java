package io.sluice.server.queue;

import io.sluice.proto.v1.ErrorCode;
import io.sluice.server.error.SluiceException;
import java.util.regex.Pattern;

/** Queue names follow the topic naming rules, so they are safe in keys, logs and command lines. */
final class QueueNames {
    static final int MAX_LENGTH = 249;
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

    private QueueNames() {
    }

    /** Throws INVALID_REQUEST, saying which rule the name breaks. */
    static void validate(String name) {
        if (name.isEmpty()) {
            throw invalid("a queue needs a name (Subscribe.queue.name)");
        }
        if (name.length() > MAX_LENGTH) {
            throw invalid("queue name '" + name.substring(0, 20) + "...' has " + name.length()
                    + " characters; at most " + MAX_LENGTH + " are allowed");
        }
        if (!LEGAL.matcher(name).matches()) {
            throw invalid("queue name '" + name + "' may contain only ASCII letters, digits, '.', '_' and '-'");
        }
    }

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, "Invalid queue name: " + message);
    }
}
