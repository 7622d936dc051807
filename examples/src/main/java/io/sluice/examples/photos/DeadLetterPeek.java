package io.sluice.examples.photos;

import io.sluice.cli.Io;
import io.sluice.cli.SluiceCli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code sluice dlq peek} in this process, the very command a user would type, and captures what it prints.
 *
 * @param command the command line, as a user would type it
 * @param exit    its exit code: 0 when it succeeded
 * @param out     its standard output: the table of dead letters
 * @param err     its standard error: empty when it succeeded
 */
public record DeadLetterPeek(String command, int exit, String out, String err) {
    /** Peeks at up to {@code max} dead letters (the command's default, 100, or more). */
    static DeadLetterPeek run(String bootstrap, String deadLetterTopic, int max) {
        List<String> args = new ArrayList<>(List.of("dlq", "peek", deadLetterTopic));
        if (max > 100) {
            args.addAll(List.of("--max", String.valueOf(max)));
        }
        args.addAll(List.of("--bootstrap", bootstrap));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Io io = new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), false);
        int exit = SluiceCli.commandLine(io).execute(args.toArray(String[]::new));
        return new DeadLetterPeek("bin/sluice " + String.join(" ", args), exit, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }
}
