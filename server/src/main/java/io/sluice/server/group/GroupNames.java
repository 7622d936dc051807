package io.sluice.server.group;

import io.sluice.proto.v1.ErrorCode;
import io.sluice.server.error.SluiceException;

/** What a consumer group id may be: 1 to 255 characters, no NUL (it is part of storage keys). */
public final class GroupNames {
    private GroupNames() {
    }

    /** Throws INVALID_REQUEST, naming the rule, if {@code group} is not a valid group id. */
    public static String validate(String group) {
        if (group.isEmpty() || group.length() > 255 || group.indexOf('\0') >= 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "Invalid consumer group '" + group
                    + "': 1 to 255 characters, no NUL");
        }
        return group;
    }
}
