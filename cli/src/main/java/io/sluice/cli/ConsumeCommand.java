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
        description = "Print the records of a topic, one a line, until --max records or --timeout of idleness (or Ctrl-C).")
final class ConsumeCommand implements Callable<Integer>, Failures.ClientCommand {
    private final Io io;
    @Mixin
    ClientOptions client;
    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to read.")
    String topic;
    @Option(names = "--from", defaultValue = "end", paramLabel = "POSITION",
            description = "beginning, end, offset:N or time:ISO-8601 (e.g. time:2026-01-31T12:00:00Z); default: ${DEFAULT-VALUE}.")
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
    @Option(names = "--group", paramLabel = "GROUP", description = "Reserved for consumer groups, which are not available yet.")
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
        if (group != null) {
            throw new Failures.UsageException("consumer groups are not available yet, so --group is rejected rather than ignored;"
                    + " consume without --group (every record of the topic is read)");
        }
        if (max != null && max < 1) {
            throw new Failures.UsageException("--max must be at least 1");
        }
        StartPosition start = startPosition(from);
        ConsumerOptions<byte[], byte[]> options = ConsumerOptions.bytes().start(start);
        options = partition == null ? options.topics(topic) : options.partitions(topic, partition);
        RecordPrinter printer = new RecordPrinter(format, printKey, printOffset, printHeaders);
        PrintStream out = io.out();
        try (SluiceClient sluice = client.connect(io); Progress progress = new Progress(io, "consumed")) {
            Flux<ReceivedRecord<byte[], byte[]>> records = sluice.consumer(options).receive();
            if (max != null) {
                records = records.take(max);
            }
            if (timeout != null) {
                records = records.timeout(timeout).onErrorResume(TimeoutException.class, idle -> Mono.empty());
            }
            records.doOnNext(r -> {
                out.println(printer.format(r));
                progress.add(1);
            }).blockLast();
            out.flush();
        }
        return 0;
    }

    static StartPosition startPosition(String from) {
        return Positions.parse(from, "--from", "beginning", "end");
    }
}
