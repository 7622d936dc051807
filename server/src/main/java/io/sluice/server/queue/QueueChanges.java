package io.sluice.server.queue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What one write of a queue's state stores, per partition, and the answers to send once it is stored. */
final class QueueChanges {
    private final Map<PartitionQueue, Set<Entry>> settling = new LinkedHashMap<>();
    private final Map<PartitionQueue, Set<Entry>> rows = new LinkedHashMap<>();
    private final List<Runnable> answers = new ArrayList<>();

    /** The entry is acked or dead-lettered: it leaves the queue. */
    void settle(Entry entry) {
        settling.computeIfAbsent(entry.partition, p -> new LinkedHashSet<>()).add(entry);
    }

    /** The entry's row (delivery count, next delivery time, last failure) changed. */
    void row(Entry entry) {
        rows.computeIfAbsent(entry.partition, p -> new LinkedHashSet<>()).add(entry);
    }

    void answer(Runnable answer) {
        answers.add(answer);
    }

    boolean isEmpty() {
        return settling.isEmpty() && rows.isEmpty() && answers.isEmpty();
    }

    Set<Entry> settling(PartitionQueue partition) {
        return settling.getOrDefault(partition, Set.of());
    }

    Set<Entry> rows(PartitionQueue partition) {
        return rows.getOrDefault(partition, Set.of());
    }

    Map<PartitionQueue, Set<Entry>> settling() {
        return settling;
    }

    List<Runnable> answers() {
        return answers;
    }

    /**
     * The partition's dead letters, up to {@code maxBytes} (at least one): the rest move to {@code next}, so
     * that one append to the dead-letter topic stays bounded.
     */
    List<Entry> deadLetters(PartitionQueue partition, long maxBytes, QueueChanges next) {
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (Entry entry : List.copyOf(settling(partition))) {
            if (entry.deadLetterReason == null) {
                continue;
            }
            if (!out.isEmpty() && bytes + entry.bytes > maxBytes) {
                settling.get(partition).remove(entry);
                next.settle(entry);
                continue;
            }
            out.add(entry);
            bytes += entry.bytes;
        }
        return out;
    }
}
