package io.sluice.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.List;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import reactor.core.publisher.Hooks;

/** The {@code sluice} command. */
@Command(name = "sluice", mixinStandardHelpOptions = true, version = "sluice 0.1.0",
        description = "Sluice: a reactive streaming message broker over gRPC.",
        subcommands = {BrokerCommand.class, TopicsCommand.class, GroupsCommand.class, ProduceCommand.class, ConsumeCommand.class,
                QueuesCommand.class, DlqCommand.class, StatusCommand.class})
public final class SluiceCli implements Runnable {
    private final Io io;

    public SluiceCli(Io io) {
        this.io = io;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(io.out());
    }

    /** The command line, wired to the given streams; {@code execute(args)} runs it and returns the exit code. */
    public static CommandLine commandLine(Io io) {
        Failures failures = new Failures(io);
        CommandLine cli = new CommandLine(new SluiceCli(io), new IoFactory(io))
                .setOut(new java.io.PrintWriter(io.out(), true))
                .setErr(new java.io.PrintWriter(io.err(), true))
                .setExecutionExceptionHandler(failures)
                .setParameterExceptionHandler(failures)
                .setCaseInsensitiveEnumValuesAllowed(true);
        CommandLine broker = cli.getSubcommands().get("broker");
        broker.getCommandSpec().usageMessage().footer("%nSettings (flag, env var, default):%n" + BrokerCommand.settingsHelp());
        // Broker flags are passed through to the broker's own parser, which knows every setting.
        broker.setUnmatchedOptionsArePositionalParams(true);
        return cli;
    }

    public static void main(String[] args) {
        if (args.length == 0 || !args[0].equals("broker")) {
            // Client commands report failures themselves, in one line: library logs would only add noise.
            boolean verbose = List.of(args).contains("--verbose");
            ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(verbose ? Level.INFO : Level.OFF);
            if (!verbose) {
                Hooks.onErrorDropped(e -> { });
            }
        }
        System.exit(commandLine(Io.system()).execute(args));
    }

    /** Creates commands, giving those that take it the command line's {@link Io}. */
    private record IoFactory(Io io) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                var constructor = type.getDeclaredConstructor(Io.class);
                constructor.setAccessible(true);
                return constructor.newInstance(io);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
