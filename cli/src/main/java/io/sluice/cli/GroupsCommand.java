package io.sluice.cli;

import io.sluice.client.GroupDescription;
import io.sluice.client.GroupListing;
import io.sluice.client.GroupNotEmptyException;
import io.sluice.client.SluiceClient;
import io.sluice.client.StartPosition;
import io.sluice.client.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice groups ...}: consumer-group administration, like kafka-consumer-groups. */
@Command(name = "groups", description = "List and describe consumer groups, reset and delete their committed offsets.",
        mixinStandardHelpOptions = true,
        subcommands = {GroupsCommand.ListGroups.class, GroupsCommand.Describe.class, GroupsCommand.ResetOffsets.class,
                GroupsCommand.Delete.class})
final class GroupsCommand implements Runnable {
    private final Io io;

    GroupsCommand(Io io) {
        this.io = io;
    }

    @Override
    public void run() {
        throw new Failures.UsageException("missing subcommand: list, describe, reset-offsets or delete");
    }

    @Command(name = "list", description = "List consumer groups: with active members, or with committed offsets.",
            mixinStandardHelpOptions = true)
    static final class ListGroups extends TopicsCommand.AdminCommand {
        ListGroups(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            Table table = new Table("GROUP", "STATE", "MEMBERS", "TOPICS");
            for (GroupListing group : sluice.admin().listGroups().toIterable()) {
                table.row(group.group(), group.state(), group.members(), orDash(String.join(",", group.topics())));
            }
            table.print(io.out());
        }
    }

    @Command(name = "describe", description = "Show a group's members, and per partition its committed offset, end offset, "
            + "lag and owner.", mixinStandardHelpOptions = true)
    static final class Describe extends TopicsCommand.AdminCommand {
        @Parameters(index = "0", paramLabel = "GROUP", description = "Consumer group.")
        String group;

        Describe(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            GroupDescription description = sluice.admin().describeGroup(group).block();
            io.out().printf("Group: %s\tState: %s\tMembers: %d%n", description.group(), description.state(),
                    description.members().size());
            if (!description.members().isEmpty()) {
                Table members = new Table("MEMBER-ID", "INSTANCE-ID", "CLIENT-ID", "EPOCH", "CONNECTED", "ASSIGNED", "REVOKING");
                for (GroupDescription.Member m : description.members()) {
                    members.row(m.memberId(), orDash(m.instanceId()), orDash(m.clientId()), m.epoch(),
                            m.connected() ? "yes" : "no", partitions(m.assigned()), partitions(m.revoking()));
                }
                members.print(io.out());
            }
            Table partitions = new Table("TOPIC", "PARTITION", "COMMITTED", "END", "LAG", "OWNER");
            for (GroupDescription.PartitionLag p : description.partitions()) {
                partitions.row(p.topic(), p.partition(), p.hasCommitted() ? p.committedOffset() : "-", p.endOffset(), p.lag(),
                        orDash(p.owner()));
            }
            partitions.print(io.out());
        }

        private static String partitions(List<TopicPartition> partitions) {
            return orDash(partitions.stream().map(TopicPartition::toString).collect(Collectors.joining(",")));
        }
    }

    @Command(name = "reset-offsets", description = "Move a group's committed offsets for a topic. Only while the group has "
            + "no active member.", mixinStandardHelpOptions = true)
    static final class ResetOffsets extends TopicsCommand.AdminCommand {
        @Parameters(index = "0", paramLabel = "GROUP", description = "Consumer group.")
        String group;
        @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic whose offsets move.")
        String topic;
        @Option(names = "--to", required = true, paramLabel = "POSITION",
                description = "earliest, latest, offset:N (clamped to each partition's range) or time:ISO-8601 "
                        + "(the first record at or after it, e.g. time:2026-01-31T12:00:00Z).")
        String to;
        @Option(names = "--partitions", split = ",", paramLabel = "P,P...", description = "Only these partitions; default: all.")
        List<Integer> partitions = new ArrayList<>();

        ResetOffsets(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            StartPosition position = Positions.parse(to, "--to", "earliest", "latest");
            Map<Integer, Long> offsets = onlyWhenEmpty(sluice, group, "resetting offsets",
                    () -> sluice.admin().resetGroupOffsets(group, topic, partitions, position).block());
            io.out().printf("Reset offsets of group %s on topic %s:%n", group, topic);
            Table table = new Table("PARTITION", "NEW-OFFSET");
            offsets.forEach(table::row);
            table.print(io.out());
        }
    }

    @Command(name = "delete", description = "Delete a group's committed offsets, so it no longer holds back the backlog. "
            + "Only while the group has no active member.", mixinStandardHelpOptions = true)
    static final class Delete extends TopicsCommand.AdminCommand {
        @Parameters(index = "0", paramLabel = "GROUP", description = "Consumer group.")
        String group;

        Delete(Io io) {
            super(io);
        }

        @Override
        void run(SluiceClient sluice) {
            onlyWhenEmpty(sluice, group, "deleting it", () -> sluice.admin().deleteGroup(group).block());
            io.out().printf("Deleted group %s.%n", group);
        }
    }

    /** Runs a change the broker refuses while the group has members; says then how many and what to do. */
    private static <T> T onlyWhenEmpty(SluiceClient sluice, String group, String doing, Supplier<T> change) {
        try {
            return change.get();
        } catch (GroupNotEmptyException e) {
            int members;
            try {
                members = sluice.admin().describeGroup(group).block().members().size();
            } catch (RuntimeException describeFailed) {
                throw e;
            }
            if (members == 0) {
                throw e; // They left meanwhile: the broker's own message says it all.
            }
            throw new GroupNotEmptyException(e.code(), "group " + group + " has " + members + " active member"
                    + (members == 1 ? "" : "s") + "; stop " + (members == 1 ? "it" : "them") + " before " + doing, e);
        }
    }

    private static String orDash(String value) {
        return value.isEmpty() ? "-" : value;
    }
}
