package io.sluice.cli;

import io.sluice.client.SluiceClient;
import io.sluice.client.TopicInfo;
import io.sluice.client.TopicListing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice topics ...}: topic administration, like kafka-topics. */
@Command(name = "topics", description = "Create, list, describe, alter and delete topics.", mixinStandardHelpOptions = true,
        subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class, TopicsCommand.Describe.class,
                TopicsCommand.Alter.class, TopicsCommand.Delete.class})
final class TopicsCommand implements Runnable {
    private final Io io;

    TopicsCommand(Io io) {
        this.io = io;
    }

    @Override
    public void run() {
        throw new Failures.UsageException("missing subcommand: create, list, describe, alter or delete");
    }

    /** Runs one admin call with a client that lives as long as the call. */
    abstract static class AdminCommand implements Callable<Integer>, Failures.ClientCommand {
        final Io io;
        @Mixin
        ClientOptions client;

        AdminCommand(Io io) {
            this.io = io;
        }

        @Override
        public ClientOptions clientOptions() {
            return client;
        }

        @Override
        public Integer call() {
            try (SluiceClient sluice = client.connect(io)) {
                run(sluice);
            }
            return 0;
        }

        abstract void run(SluiceClient sluice);
    }

    @Command(name = "create", description = "Create a topic.", mixinStandardHelpOptions = true)
    static final class Create extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "Topic name.")
        String name;
        @Option(names = "--partitions", paramLabel = "N", defaultValue = "1", description = "Partition count (default: ${DEFAULT-VALUE}).")
        int partitions;
        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "A topic config, e.g. retention.ms=3600000; repeatable.")
        Map<String, String> configs = new LinkedHashMap<>();

        Create(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            TopicInfo topic = sluice.admin().createTopic(name, partitions, configs).block();
            io.out().printf("Created topic %s with %d partition%s.%n", topic.name(), topic.partitions().size(),
                    topic.partitions().size() == 1 ? "" : "s");
        }
    }

    @Command(name = "list", description = "List topic names, one a line.", mixinStandardHelpOptions = true)
    static final class ListTopics extends AdminCommand {
        ListTopics(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            sluice.admin().listTopics().map(TopicListing::name).toStream().forEach(io.out()::println);
        }
    }

    @Command(name = "describe", description = "Show a topic's partitions (start and end offsets, size, leader) and configs.",
            mixinStandardHelpOptions = true)
    static final class Describe extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "Topic name.")
        String name;

        Describe(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            TopicInfo topic = sluice.admin().describeTopic(name).block();
            io.out().printf("Topic: %s\tPartitions: %d%n", topic.name(), topic.partitions().size());
            io.out().printf("%-10s %-14s %-14s %-14s %s%n", "PARTITION", "START-OFFSET", "END-OFFSET", "SIZE-BYTES", "LEADER");
            for (TopicInfo.PartitionInfo p : topic.partitions()) {
                io.out().printf("%-10d %-14d %-14d %-14d %d%n", p.partition(), p.startOffset(), p.endOffset(), p.sizeBytes(), p.leader());
            }
            io.out().println("Configs:");
            topic.configs().forEach((key, value) -> io.out().printf("  %s=%s%n", key, value));
        }
    }

    @Command(name = "alter", description = "Change topic configs; prints every effective config afterwards.",
            mixinStandardHelpOptions = true)
    static final class Alter extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "Topic name.")
        String name;
        @Mixin
        ConfigChanges changes = new ConfigChanges();

        Alter(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            changes.requireSome();
            Map<String, String> configs = sluice.admin().alterTopicConfigs(name, changes.set, changes.reset).block();
            io.out().printf("Altered topic %s. Configs:%n", name);
            new java.util.TreeMap<>(configs).forEach((key, value) -> io.out().printf("  %s=%s%n", key, value));
        }
    }

    @Command(name = "delete", description = "Delete a topic and all its records.", mixinStandardHelpOptions = true)
    static final class Delete extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "Topic name.")
        String name;

        Delete(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            sluice.admin().deleteTopic(name).block();
            io.out().printf("Deleted topic %s.%n", name);
        }
    }
}
