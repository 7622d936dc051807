package io.sluice.loadtest.log;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.config.TopicConfig;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.storage.GroupCommitWriter;
import io.sluice.server.storage.RocksStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A fresh RocksDB store with one topic, wired as the broker wires it, in a temp dir removed on close. */
final class BenchLog implements AutoCloseable {
    private static final String TOPIC = "bench";

    private final Path dir;
    private final RocksStore store;
    private final GroupCommitWriter writer;
    private final List<PartitionLog> partitions;

    BenchLog(Path parent, int partitionCount) {
        try {
            Files.createDirectories(parent);
            this.dir = Files.createTempDirectory(parent, "sluice-log-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.store = RocksStore.open(dir, BrokerConfig.of(Map.of()).storageMemory());
        this.writer = new GroupCommitWriter(store);
        LogManager logs = new LogManager(store, writer, Math.max(partitionCount, 1));
        this.partitions = logs.create(TOPIC, partitionCount, TopicConfig.defaults()).partitions();
    }

    List<PartitionLog> partitions() {
        return partitions;
    }

    @Override
    public void close() {
        // Same order as the broker: drain the writer, then close the native store, then delete its files.
        writer.close();
        store.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(BenchLog::delete);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }
}
