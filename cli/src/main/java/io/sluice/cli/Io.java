package io.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command reads and writes: the process's streams and environment in production, captured ones in
 * tests. {@code interactive} means stderr is a terminal, where progress is shown.
 */
public record Io(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean interactive) {
    public static Io system() {
        return new Io(System.in, System.out, System.err, System.getenv(), stderrIsTerminal());
    }

    /** Java cannot ask isatty(2) directly: on Linux, /proc tells where fd 2 points; elsewhere, guess from the console. */
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }
}
