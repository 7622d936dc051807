package io.sluice.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * What a command reads and writes: the process's streams and environment in production, captured ones in
 * tests. {@code interactive} means stderr is a terminal, where progress is shown.
 */
public record Io(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean interactive) {
    public static Io system() {
        return new Io(System.in, System.out, System.err, System.getenv(), System.console() != null);
    }
}
