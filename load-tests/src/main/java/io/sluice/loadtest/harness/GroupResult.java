package io.sluice.loadtest.harness;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a consumer group run. Times in ms from the first Subscribe; -1 when it did not happen.
 * MB = 2^20 bytes of record payload (records x record size), as Kafka's perf tools count.
 *
 * @param consumed       distinct records read (each offset once)
 * @param seconds        first Subscribe to the last of the {@code records} read (join included, as Kafka's
 *                       ConsumerPerformance counts)
 * @param fetchSeconds   first assignment received to the last record read (the time anything could be fetched)
 * @param firstAssignMs  first Subscribe to the first Assignment any member received
 * @param stableMs       first Subscribe to the group being stable: every partition owned, shares within one
 * @param moves          partitions revoked (moved) while the group formed and ran
 * @param leaveMs        one member's Leave sent to the others owning its partitions
 * @param brokerCpuSeconds broker CPU over join and consumption (-1 unknown); client: this JVM's, same span
 * @param memberRecords  records each member received, duplicates included
 */
public record GroupResult(String topic, String group, int partitions, int members, long records, int recordSize,
                          long consumed, long duplicates, long gaps, double seconds, double fetchSeconds,
                          double firstAssignMs, double stableMs, long moves, double leaveMs,
                          double brokerCpuSeconds, double clientCpuSeconds, long brokerRssBytes, String loadAverage,
                          List<Long> memberRecords, Map<String, Long> errors) {
    static final String TSV_HEADER = "test\tparts\tmembers\trecords\tbytes\trec/s\tMB/s\tfetch_rec/s\tfetch_MB/s"
            + "\tfirst_assign_ms\tstable_ms\tleave_ms\tmoves\tdups\tbrkCPU\tcliCPU";

    public double recordsPerSecond() {
        return seconds > 0 ? consumed / seconds : 0;
    }

    public double mbPerSecond() {
        return recordsPerSecond() * recordSize / Sampler.MB;
    }

    public double fetchRecordsPerSecond() {
        return fetchSeconds > 0 ? consumed / fetchSeconds : 0;
    }

    public double fetchMbPerSecond() {
        return fetchRecordsPerSecond() * recordSize / Sampler.MB;
    }

    /** Every record read exactly once, the group stable, the leave rebalance done, no error. */
    public boolean complete() {
        return consumed == records && duplicates == 0 && gaps == 0 && stableMs >= 0 && leaveMs >= 0 && errors.isEmpty();
    }

    /** One row under {@link #TSV_HEADER}, in the spirit of kafka-race's results.tsv. */
    public String tsvRow() {
        return String.join("\t", "g group consume", Integer.toString(partitions), Integer.toString(members),
                Long.toString(consumed), Integer.toString(recordSize), f("%.0f", recordsPerSecond()), f("%.2f", mbPerSecond()),
                f("%.0f", fetchRecordsPerSecond()), f("%.2f", fetchMbPerSecond()), ms(firstAssignMs), ms(stableMs),
                ms(leaveMs), Long.toString(moves), Long.toString(duplicates),
                brokerCpuSeconds < 0 ? "-" : f("%.1f", brokerCpuSeconds), f("%.1f", clientCpuSeconds));
    }

    /** The console summary. */
    public String table() {
        StringBuilder out = new StringBuilder();
        line(out, "==== group: %d members, %d partitions, %,d x %d B on %s (group %s) ====",
                members, partitions, records, recordSize, topic, group);
        line(out, "%-38s %12s", "first assignment", ms(firstAssignMs) + " ms");
        line(out, "%-38s %12s   (%d partition moves)", "group stable (every partition owned)", ms(stableMs) + " ms", moves);
        line(out, "%-38s %,12.0f records/s %9.2f MB/s   (%,d records in %.3f s, join included)",
                "consume", recordsPerSecond(), mbPerSecond(), consumed, seconds);
        line(out, "%-38s %,12.0f records/s %9.2f MB/s   (from the first assignment)", "consume, fetch only",
                fetchRecordsPerSecond(), fetchMbPerSecond());
        line(out, "%-38s %12s   (its partitions owned by the other %d)", "rebalance on one member's leave",
                ms(leaveMs) + " ms", members - 1);
        line(out, "records per member %s; duplicates %,d; gaps %,d; errors %s", memberRecords, duplicates, gaps,
                errors.isEmpty() ? "none" : errors);
        line(out, "broker %s CPU-s, RSS %s MB; load generator %.1f CPU-s; loadavg %s",
                brokerCpuSeconds < 0 ? "?" : f("%.1f", brokerCpuSeconds),
                brokerRssBytes < 0 ? "?" : f("%.0f", brokerRssBytes / 1048576.0), clientCpuSeconds, loadAverage);
        return out.toString();
    }

    private static String ms(double v) {
        return v < 0 ? "-" : f("%.1f", v);
    }

    private static String f(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
