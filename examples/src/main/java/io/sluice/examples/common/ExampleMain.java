package io.sluice.examples.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * What every example's {@code main} does: read {@code --bootstrap host:port}, or start a broker of its own
 * when there is none, then run the example against it.
 */
public final class ExampleMain {
    private ExampleMain() {
    }

    /** Runs {@code example} with a broker's bootstrap address; exits non-zero if it throws or its checks fail. */
    public static void run(String name, String[] args, Function<String, ? extends Checked> example) {
        String bootstrap = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--bootstrap") && i + 1 < args.length) {
                bootstrap = args[++i];
            } else if (args[i].startsWith("--bootstrap=")) {
                bootstrap = args[i].substring("--bootstrap=".length());
            } else {
                System.err.println("usage: sluice-example " + name + " [--bootstrap host:port]");
                System.exit(2);
            }
        }
        // The examples print what they show on stdout; the broker's and client's own logs only for trouble.
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        Checked result;
        if (bootstrap != null) {
            System.out.println("Using the broker at " + bootstrap);
            result = example.apply(bootstrap);
        } else {
            try (EmbeddedBroker broker = EmbeddedBroker.start()) {
                System.out.println("Started a broker for this example at " + broker.bootstrap() + " (data in "
                        + broker.dataDir() + ", deleted on exit)");
                result = example.apply(broker.bootstrap());
            }
        }
        System.out.println(result.passed() ? "OK: every check passed" : "FAILED: a check did not pass (see above)");
        System.exit(result.passed() ? 0 : 1);
    }

    /** An example's outcome: whether its final checks passed. */
    public interface Checked {
        boolean passed();
    }
}
