package io.sluice.server.ops;

import io.sluice.proto.v1.BrokerInfo;
import io.sluice.proto.v1.GetBrokerStatusResponse;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** What {@code GetBrokerStatus} answers: a snapshot of the broker, taken when asked (it walks the data directory). */
public final class BrokerStatus {
    private final Supplier<BrokerInfo> self;
    private final LogManager logs;
    private final Supplier<Map<String, Long>> streams;
    private final BooleanSupplier draining;
    private final Path dataDir;
    private final Clock clock;
    private final Instant started;
    private final String version = BrokerVersion.current();

    /**
     * @param streams  open streams by kind
     * @param draining whether a graceful shutdown began
     */
    public BrokerStatus(Supplier<BrokerInfo> self, LogManager logs, Supplier<Map<String, Long>> streams,
                        BooleanSupplier draining, Path dataDir, Clock clock) {
        this.self = self;
        this.logs = logs;
        this.streams = streams;
        this.draining = draining;
        this.dataDir = dataDir.toAbsolutePath();
        this.clock = clock;
        this.started = clock.instant();
    }

    /** Blocking (walks the data directory): call off the gRPC threads. */
    public GetBrokerStatusResponse now() {
        List<Topic> topics = logs.topics();
        return GetBrokerStatusResponse.newBuilder()
                .setBroker(self.get())
                .setVersion(version)
                .setUptimeMs(Math.max(0, clock.millis() - started.toEpochMilli()))
                .setDraining(draining.getAsBoolean())
                .setTopics(topics.size())
                .setPartitions(topics.stream().mapToInt(Topic::partitionCount).sum())
                .putAllOpenStreams(streams.get())
                .setDataDir(dataDir.toString())
                .setDiskUsedBytes(diskUsed(dataDir))
                .setDiskFreeBytes(diskFree(dataDir))
                .build();
    }

    /** Bytes of every file under {@code dir}; files that vanish meanwhile (compaction) are skipped. */
    static long diskUsed(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    total[0] += attributes.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + dir + ": " + e.getMessage(), e);
        }
        return total[0];
    }

    private static long diskFree(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }
}
