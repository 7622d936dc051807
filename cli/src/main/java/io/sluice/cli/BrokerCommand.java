package io.sluice.cli;

import io.sluice.server.BrokerMain;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.config.ConfigKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice broker}: runs the broker in the foreground. Every broker setting is a flag named after
 * its config key ({@code data.dir} is {@code --data-dir}); the broker's own parser validates them.
 */
@Command(name = "broker", description = "Run a Sluice broker in the foreground until SIGTERM or Ctrl-C.",
        mixinStandardHelpOptions = true)
public final class BrokerCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "--setting value",
            description = "Broker settings, e.g. --port 7070 --data-dir ./data --host 127.0.0.1; --config FILE reads a properties file.")
    List<String> settings = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        BrokerMain.main(settings.toArray(String[]::new));
        return 0;
    }

    /** The settings table for --help. */
    static String settingsHelp() {
        StringBuilder out = new StringBuilder();
        for (ConfigKey key : BrokerConfig.DEF.keys()) {
            out.append(String.format("  %-30s %-32s %s%n", key.flag(), key.envVar(), key.defaultValue()));
        }
        return out.toString();
    }
}
