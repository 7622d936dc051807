package io.sluice.cli;

import io.sluice.client.StartPosition;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parses positions in a log as written on the command line: a word for each end, offset:N or time:ISO-8601. */
final class Positions {
    private Positions() {
    }

    /**
     * @param option   the option, for the error message
     * @param earliest the word for the log start (e.g. "beginning"); {@code latest} likewise for its end
     */
    static StartPosition parse(String value, String option, String earliest, String latest) {
        if (value.equals(earliest)) {
            return StartPosition.earliest();
        }
        if (value.equals(latest)) {
            return StartPosition.latest();
        }
        try {
            if (value.startsWith("offset:")) {
                long offset = Long.parseLong(value.substring("offset:".length()));
                if (offset < 0) {
                    throw new NumberFormatException();
                }
                return StartPosition.offset(offset);
            }
            if (value.startsWith("time:")) {
                // With a zone: Z or an offset such as +01:00 or -05:00.
                return StartPosition.timestamp(OffsetDateTime.parse(value.substring("time:".length())).toInstant());
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            // Reported below.
        }
        throw new Failures.UsageException(option + " must be " + earliest + ", " + latest + ", offset:N (N >= 0) or"
                + " time:ISO-8601 (e.g. time:2026-01-31T12:00:00Z); got '" + value + "'");
    }
}
