package io.sluice.cli;

import io.sluice.client.DeadLetterInfo;
import io.sluice.client.SluiceClient;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice dlq ...}: what queues dead-lettered, and moving it back. */
@Command(name = "dlq", description = "Show the dead letters of a dead-letter topic with their reasons, and move them back "
        + "for another try.", mixinStandardHelpOptions = true, subcommands = {DlqCommand.Peek.class, DlqCommand.Redrive.class})
final class DlqCommand implements Runnable {
    @Override
    public void run() {
        throw new Failures.UsageException("missing subcommand: peek or redrive");
    }

    @Command(name = "peek", description = "Show dead letters not redriven yet: where each came from, its deliveries, when "
            + "and why it was dead-lettered, and the record. Changes nothing.", mixinStandardHelpOptions = true)
    static final class Peek extends TopicsCommand.AdminCommand {
        @Parameters(index = "0", paramLabel = "TOPIC", description = "The dead-letter topic, e.g. orders.dlq.")
        String topic;
        @Option(names = "--max", paramLabel = "N", defaultValue = "100", description = "Most dead letters shown, at most "
                + "10000 (default: ${DEFAULT-VALUE}).")
        int max;
        @Option(names = "--from-beginning", description = "Also those already redriven, still in the topic.")
        boolean fromBeginning;

        Peek(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            Table table = new Table("PARTITION", "OFFSET", "FROM", "QUEUE", "DELIVERIES", "DEAD-LETTERED", "REASON", "KEY", "VALUE");
            for (DeadLetterInfo d : sluice.queueAdmin().peekDeadLetters(topic, max, fromBeginning).toIterable()) {
                table.row(d.partition(), d.offset(), d.originalTopic() + "-" + d.originalPartition() + "@" + d.originalOffset(),
                        d.queue(), d.deliveryCount(), d.deadLetteredAt(), oneLine(d.reason()), text(d.key()), text(d.value()));
            }
            table.print(io.out());
        }

        private static String text(byte[] bytes) {
            return bytes == null ? "-" : oneLine(new String(bytes, StandardCharsets.UTF_8));
        }

        private static String oneLine(String s) {
            return s.replace("\n", "\\n").replace("\t", "\\t");
        }
    }

    @Command(name = "redrive", description = "Move dead letters back, in order, for another try: to their original topic "
            + "and partition, or to another topic. Each is moved once; peek then no longer shows it.",
            mixinStandardHelpOptions = true)
    static final class Redrive extends TopicsCommand.AdminCommand {
        @Parameters(index = "0", paramLabel = "TOPIC", description = "The dead-letter topic, e.g. orders.dlq.")
        String topic;
        @Option(names = "--to", paramLabel = "original|TOPIC", defaultValue = "original",
                description = "original (default): each record's original topic and partition; or a topic, partitioned by key.")
        String to;
        @Option(names = "--max", paramLabel = "N", defaultValue = "0", description = "Most records moved; 0 (default): all.")
        long max;

        Redrive(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            if (max < 0) {
                throw new Failures.UsageException("--max must be >= 0, got " + max);
            }
            boolean original = to.equals("original");
            long moved = sluice.queueAdmin().redriveDeadLetters(topic, original ? null : to, max).block();
            io.out().printf("Redrove %d dead letter%s of %s to %s.%n", moved, moved == 1 ? "" : "s", topic,
                    original ? "their original topics" : to);
        }
    }
}
