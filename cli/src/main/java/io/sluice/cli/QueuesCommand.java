package io.sluice.cli;

import io.sluice.client.QueueInfo;
import io.sluice.client.SluiceClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice queues ...}: queue administration (queue mode). */
@Command(name = "queues", description = "List, describe, alter and delete queues (queue mode: shared workers, "
        + "per-record acks, dead letters).", mixinStandardHelpOptions = true,
        subcommands = {QueuesCommand.ListQueues.class, QueuesCommand.Describe.class, QueuesCommand.Alter.class,
                QueuesCommand.Delete.class})
final class QueuesCommand implements Runnable {
    @Override
    public void run() {
        throw new Failures.UsageException("missing subcommand: list, describe, alter or delete");
    }

    @Command(name = "list", description = "List queues with their backlog, records in flight, dead letters and oldest age.",
            mixinStandardHelpOptions = true)
    static final class ListQueues extends TopicsCommand.AdminCommand {
        ListQueues(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            Table table = new Table("QUEUE", "TOPIC", "WORKERS", "BACKLOG", "IN-FLIGHT", "DELAYED", "DEAD-LETTERED", "OLDEST");
            for (QueueInfo q : sluice.queueAdmin().listQueues().toIterable()) {
                table.row(q.name(), q.topic(), q.workers(), q.backlog(), q.inFlight(), q.delayed(), q.deadLettered(),
                        age(q.oldestAge()));
            }
            table.print(io.out());
        }
    }

    @Command(name = "describe", description = "Show a queue's settings and counts, in total and per partition.",
            mixinStandardHelpOptions = true)
    static final class Describe extends TopicsCommand.AdminCommand {
        @Parameters(index = "0", paramLabel = "QUEUE", description = "Queue name.")
        String queue;

        Describe(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            QueueInfo q = sluice.queueAdmin().describeQueue(queue).block();
            io.out().printf("Queue: %s\tTopic: %s\tDead letters to: %s\tWorkers: %d%n", q.name(), q.topic(),
                    q.deadLetterTopic(), q.workers());
            io.out().printf("Backlog: %d\tIn flight: %d\tDelayed: %d\tDead-lettered: %d\tOldest: %s%n", q.backlog(),
                    q.inFlight(), q.delayed(), q.deadLettered(), age(q.oldestAge()));
            io.out().printf("Settings: %s%n", q.config().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("-"));
            Table table = new Table("PARTITION", "SETTLED-UP-TO", "END", "BACKLOG", "IN-FLIGHT", "DELAYED", "DEAD-LETTERED");
            for (QueueInfo.PartitionInfo p : q.partitions()) {
                table.row(p.partition(), p.settledUpTo(), p.highWatermark(), p.backlog(), p.inFlight(), p.delayed(),
                        p.deadLettered());
            }
            table.print(io.out());
        }
    }

    @Command(name = "alter", description = "Change a queue's settings; they apply at once.", mixinStandardHelpOptions = true)
    static final class Alter extends TopicsCommand.AdminCommand {
        @Parameters(index = "0", paramLabel = "QUEUE", description = "Queue name.")
        String queue;
        @Mixin
        ConfigChanges changes = new ConfigChanges();

        Alter(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            changes.requireSome();
            Map<String, String> config = sluice.queueAdmin().alterQueue(queue, changes.set, changes.reset).block();
            io.out().printf("Altered queue %s.%n", queue);
            config.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> io.out().printf("%s=%s%n", e.getKey(), e.getValue()));
        }
    }

    @Command(name = "delete", description = "Delete a queue and its state (its topic and dead letters stay). Only while "
            + "no worker is subscribed.", mixinStandardHelpOptions = true)
    static final class Delete extends TopicsCommand.AdminCommand {
        @Parameters(index = "0", paramLabel = "QUEUE", description = "Queue name.")
        String queue;

        Delete(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            sluice.queueAdmin().deleteQueue(queue).block();
            io.out().printf("Deleted queue %s.%n", queue);
        }
    }

    /** A short age: 850ms, 12s, 3m4s, 5h2m, 2d3h; "-" for none. */
    static String age(Duration age) {
        if (age.isZero()) {
            return "-";
        }
        if (age.toSeconds() < 1) {
            return age.toMillis() + "ms";
        }
        if (age.toMinutes() < 1) {
            return age.toSeconds() + "s";
        }
        if (age.toHours() < 1) {
            return age.toMinutes() + "m" + age.toSecondsPart() + "s";
        }
        if (age.toDays() < 1) {
            return age.toHours() + "h" + age.toMinutesPart() + "m";
        }
        return age.toDays() + "d" + age.toHoursPart() + "h";
    }
}
