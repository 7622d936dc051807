package io.sluice.loadtest.log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Command-line settings, given as {@code --name=value}; every one has a default. */
record BenchOptions(Duration jvmWarmup, Duration scenarioWarmup, Duration measure, Duration readLimit,
                    long maxRecordsPerPhase, int batchRecords, int maxInFlight, long bytesPerRead, Path dir,
                    List<Scenario> scenarios) {

    static BenchOptions parse(String[] args) {
        Map<String, String> given = new HashMap<>();
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
            }
            given.put(kv[0], kv[1]);
        }
        BenchOptions options = new BenchOptions(
                // STACK.md: the JIT needs 12-15 s on 2 shared cores, so warm up 20 s once per JVM ...
                seconds(given.remove("jvm-warmup-seconds"), 20),
                // ... and a few seconds per fresh store, so its memtables are full and flushes run as in steady state.
                seconds(given.remove("warmup-seconds"), 5),
                seconds(given.remove("measure-seconds"), 20),
                seconds(given.remove("read-limit-seconds"), 120),
                Long.parseLong(given.getOrDefault("max-records", "200000000")),
                Integer.parseInt(given.getOrDefault("batch-records", "650")),
                Integer.parseInt(given.getOrDefault("in-flight", "64")),
                Long.parseLong(given.getOrDefault("read-bytes", String.valueOf(1 << 20))),
                Path.of(given.getOrDefault("dir", System.getProperty("java.io.tmpdir"))),
                Arrays.stream(given.getOrDefault("scenarios", "async-1,async-8,fsync-8").split(","))
                        .map(Scenario::parse).toList());
        given.keySet().removeAll(List.of("max-records", "batch-records", "in-flight", "read-bytes", "dir", "scenarios"));
        if (!given.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + given.keySet());
        }
        return options;
    }

    private static Duration seconds(String value, long defaultSeconds) {
        return Duration.ofSeconds(value == null ? defaultSeconds : Long.parseLong(value));
    }
}
