package io.sluice.cli;

import io.sluice.client.BrokerUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** Failures as one line on stderr and a non-zero exit code; the stack trace only with --verbose. */
final class Failures implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final int FAILED = 1;
    static final int USAGE = 2;

    private final Io io;

    Failures(Io io) {
        this.io = io;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
        String name = command.getCommandSpec().qualifiedName();
        if (e instanceof UsageException) {
            io.err().println(name + ": " + e.getMessage());
            return USAGE;
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof BrokerUnavailableException) {
            ClientOptions options = clientOptions(command);
            String where = options == null ? "" : " at " + options.bootstrap(io);
            message = "cannot reach the broker" + where + " (" + message + ")";
        }
        io.err().println(name + ": " + message);
        if (verbose(parseResult)) {
            e.printStackTrace(io.err());
        }
        return FAILED;
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        String name = e.getCommandLine().getCommandSpec().qualifiedName();
        io.err().println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
        return USAGE;
    }

    private static ClientOptions clientOptions(CommandLine command) {
        return command.getCommand() instanceof ClientCommand c ? c.clientOptions() : null;
    }

    private static boolean verbose(ParseResult parseResult) {
        for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** A bad combination of arguments found after parsing: reported like a parse error. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    /** A command that talks to a broker. */
    interface ClientCommand {
        ClientOptions clientOptions();
    }
}
