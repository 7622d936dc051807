package io.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command. */
@Command(name = "sluice", mixinStandardHelpOptions = true, version = "sluice 0.1.0",
        description = "Sluice: a reactive streaming message broker over gRPC.",
        subcommands = {BrokerCommand.class})
public final class SluiceCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new SluiceCli());
        cli.getSubcommands().get("broker").getCommandSpec().usageMessage()
                .footer("%nSettings (flag, env var, default):%n" + BrokerCommand.settingsHelp());
        // Broker flags are passed through to the broker's own parser, which knows every setting.
        cli.getSubcommands().get("broker").setUnmatchedOptionsArePositionalParams(true);
        System.exit(cli.execute(args));
    }
}
