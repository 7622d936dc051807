package io.sluice.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --config KEY=VALUE} / {@code --reset KEY} options of the alter commands (topics, queues). */
final class ConfigChanges {
    @Option(names = "--config", paramLabel = "KEY=VALUE", description = "A setting to set; repeatable.")
    Map<String, String> set = new LinkedHashMap<>();
    @Option(names = "--reset", paramLabel = "KEY", description = "A setting to return to its default; repeatable.")
    List<String> reset = new ArrayList<>();

    /** Fails with a usage error when neither option was given. */
    ConfigChanges requireSome() {
        if (set.isEmpty() && reset.isEmpty()) {
            throw new Failures.UsageException("nothing to change: give --config KEY=VALUE or --reset KEY");
        }
        return this;
    }
}
