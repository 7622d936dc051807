package io.sluice.cli;

import io.sluice.client.Acks;
import io.sluice.client.Header;
import io.sluice.client.BatchCompression;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.SendResult;
import io.sluice.client.SluiceClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** {@code sluice produce}: each line of stdin becomes a record, like kafka-console-producer. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send each line of stdin as a record, in batches. At the end, a summary goes to stderr;",
                "nothing goes to stdout unless --print-offsets."})
final class ProduceCommand implements Callable<Integer>, Failures.ClientCommand {
    enum AcksOption { none, leader, all }

    private final Io io;
    @Mixin
    ClientOptions client;
    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to write to.")
    String topic;
    @Option(names = "--key-separator", paramLabel = "SEP",
            description = "Split each line at the first SEP into key and value; a line without SEP fails.")
    String keySeparator;
    @Option(names = "--acks", defaultValue = "leader", paramLabel = "none|leader|all",
            description = "Acknowledgement to wait for (default: ${DEFAULT-VALUE}).")
    AcksOption acks;
    @Option(names = "--partition", paramLabel = "P", description = "Write every record to this partition.")
    Integer partition;
    @Option(names = "--header", paramLabel = "KEY=VALUE", description = "A header added to every record; repeatable.")
    List<String> headers = new ArrayList<>();
    @Option(names = "--print-offsets", description = "Print each record's partition and offset (tab-separated) on stdout.")
    boolean printOffsets;
    @Option(names = "--linger", paramLabel = "DURATION", defaultValue = "5ms", converter = DurationConverter.class,
            description = "How long a line may wait for others to fill its batch (default: ${DEFAULT-VALUE}).")
    Duration linger;
    @Option(names = "--compression", paramLabel = "CODEC", defaultValue = "none",
            description = "Batch codec: none, gzip, lz4, zstd or snappy (default: ${DEFAULT-VALUE}).")
    String compression;
    @Option(names = "--batch-bytes", paramLabel = "N", defaultValue = "262144",
            description = "Largest batch per partition, in bytes (default: ${DEFAULT-VALUE}).")
    int batchBytes;

    ProduceCommand(Io io) {
        this.io = io;
    }

    @Override
    public ClientOptions clientOptions() {
        return client;
    }

    @Override
    public Integer call() {
        List<Header> recordHeaders = headers.stream().map(ProduceCommand::header).toList();
        BufferedReader lines = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8));
        AtomicLong bytes = new AtomicLong();
        long started = System.nanoTime();
        try (SluiceClient sluice = client.connect(io); Progress progress = new Progress(io, "produced")) {
            ProducerOptions<String, String> options = ProducerOptions.strings()
                    .acks(Acks.valueOf(acks.name().toUpperCase(Locale.ROOT))).linger(linger).batchBytes(batchBytes)
                    .compression(codec(compression));
            // Reading stdin blocks: it gets a thread of its own, off the client's threads.
            Flux<ProducerRecord<String, String, Void>> records = Flux.fromStream(lines::lines)
                    .index((n, line) -> record(n + 1, line, recordHeaders))
                    .doOnNext(r -> bytes.addAndGet(size(r)))
                    .subscribeOn(Schedulers.boundedElastic());
            PrintStream out = io.out();
            sluice.producer(options).send(records)
                    .doOnNext(result -> {
                        progress.add(1);
                        if (printOffsets) {
                            out.println(result.partition() + "\t" + result.offset());
                        }
                    })
                    .blockLast();
            out.flush();
            io.err().println(summary(progress.records(), bytes.get(), System.nanoTime() - started));
        }
        return 0;
    }

    private ProducerRecord<String, String, Void> record(long lineNumber, String line, List<Header> recordHeaders) {
        String key = null;
        String value = line;
        if (keySeparator != null) {
            int at = line.indexOf(keySeparator);
            if (at < 0) {
                throw new IllegalArgumentException("line " + lineNumber + " has no key separator '" + keySeparator + "'");
            }
            key = line.substring(0, at);
            value = line.substring(at + keySeparator.length());
        }
        return new ProducerRecord<>(topic, partition, key, value, recordHeaders, null, null);
    }

    private static long size(ProducerRecord<String, String, Void> r) {
        long size = r.value().getBytes(StandardCharsets.UTF_8).length;
        return r.key() == null ? size : size + r.key().getBytes(StandardCharsets.UTF_8).length;
    }

    private static Header header(String keyValue) {
        int eq = keyValue.indexOf('=');
        if (eq <= 0) {
            throw new Failures.UsageException("--header needs KEY=VALUE, got '" + keyValue + "'");
        }
        return Header.of(keyValue.substring(0, eq), keyValue.substring(eq + 1));
    }

    static String summary(long records, long bytes, long nanos) {
        double seconds = Math.max(nanos, 1) / 1e9;
        return String.format(Locale.ROOT, "Produced %d records (%s) in %.2f s: %.0f records/s, %s/s",
                records, Units.bytes(bytes), seconds, records / seconds, Units.bytes((long) (bytes / seconds)));
    }

    private static BatchCompression codec(String name) {
        try {
            return BatchCompression.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Failures.UsageException("unknown --compression '" + name + "'; use none, gzip, lz4, zstd or snappy");
        }
    }
}
