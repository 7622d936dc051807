package io.sluice.cli;

import io.sluice.client.ConsumerOptions;
import io.sluice.client.ReceivedRecord;
import io.sluice.client.SluiceClient;
import io.sluice.client.StartPosition;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code sluice consume}: prints records of a topic, like kafka-console-consumer. */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Print the records of a topic, one a line, until --max records or --timeout of idleness (or Ctrl-C).",
                "With --group, join that consumer group: read only the partitions the broker assigns, from the group's "
                        + "committed offsets, and commit each record printed (on exit too)."})
final class ConsumeCommand implements Callable<Integer>, Failures.ClientCommand {
    private final Io io;
    @Mixin
    ClientOptions client;
    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to read.")
    String topic;
    @Option(names = "--from", defaultValue = "end", paramLabel = "POSITION",
            description = "beginning, end, offset:N or time:ISO-8601 (e.g. time:2026-01-31T12:00:00Z); default: ${DEFAULT-VALUE}."
                    + " With --group, only for partitions the group has committed nothing for.")
    String from;
    @Option(names = "--partition", paramLabel = "P", description = "Read only this partition.")
    Integer partition;
    @Option(names = "--max", paramLabel = "N", description = "Exit after N records.")
    Long max;
    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Exit once no record has arrived for this long, e.g. 5s.")
    Duration timeout;
    @Option(names = "--print-key", description = "Print the key before the value.")
    boolean printKey;
    @Option(names = "--print-offset", description = "Print the partition and offset.")
    boolean printOffset;
    @Option(names = "--print-headers", description = "Print the headers.")
    boolean printHeaders;
    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
            description = "text (tab-separated) or json (one object a line, every field); default: ${DEFAULT-VALUE}.")
    RecordPrinter.Format format;
    @Option(names = "--group", paramLabel = "GROUP",
            description = "Consume as a member of this consumer group; not with --partition.")
    String group;

    ConsumeCommand(Io io) {
        this.io = io;
    }

    @Override
    public ClientOptions clientOptions() {
        return client;
    }

    @Override
    public Integer call() {
        if (group != null && partition != null) {
            throw new Failures.UsageException("--partition cannot be combined with --group: the broker assigns the group's"
                    + " partitions to its members");
        }
        if (max != null && max < 1) {
            throw new Failures.UsageException("--max must be at least 1");
        }
        StartPosition start = startPosition(from);
        ConsumerOptions<byte[], byte[]> options = ConsumerOptions.bytes().start(start);
        options = partition == null ? options.topics(topic) : options.partitions(topic, partition);
        if (group != null) {
            try {
                options = options.group(group);
            } catch (IllegalArgumentException e) {
                throw new Failures.UsageException("--group: " + e.getMessage());
            }
        }
        RecordPrinter printer = new RecordPrinter(format, printKey, printOffset, printHeaders);
        PrintStream out = io.out();
        GroupExit exit = group == null ? null : GroupExit.install();
        try (SluiceClient sluice = client.connect(io); Progress progress = new Progress(io, "consumed")) {
            Flux<ReceivedRecord<byte[], byte[]>> records = sluice.consumer(options).receive();
            if (exit != null) {
                records = records.takeUntilOther(exit.requested());
            }
            if (max != null) {
                records = records.take(max);
            }
            if (timeout != null) {
                records = records.timeout(timeout).onErrorResume(TimeoutException.class, idle -> Mono.empty());
            }
            records.doOnNext(r -> {
                out.println(printer.format(r));
                // Printed: processed. Acknowledged positions are committed periodically and when the stream ends.
                r.ack();
                progress.add(1);
            }).blockLast();
            out.flush();
            // Closing the client waits for the group member to commit and leave.
        } finally {
            if (exit != null) {
                exit.done();
            }
        }
        return 0;
    }

    static StartPosition startPosition(String from) {
        return Positions.parse(from, "--from", "beginning", "end");
    }
}
