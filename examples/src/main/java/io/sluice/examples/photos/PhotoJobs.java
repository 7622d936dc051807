package io.sluice.examples.photos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The photo jobs, and which of them fail: chosen by job id with a seeded shuffle, so every run has the same
 * exact number of transient failures and poison jobs, and the check knows them in advance.
 *
 * @param count     jobs, with ids 0 to count - 1
 * @param transients ids of the jobs whose first try fails (a storage hiccup) and whose retry succeeds
 * @param poison    ids of the jobs that can never succeed, with why
 */
public record PhotoJobs(int count, Set<Integer> transients, Map<Integer, String> poison) {
    /** Why a poison job cannot be processed; a worker detects it on the first try and does not retry. */
    private static final List<String> POISON_REASONS = List.of(
            "corrupt JPEG: premature end of data segment",
            "unsupported format: image/heic",
            "image too large: 40000x30000 px is over the 100 MP limit");

    public PhotoJobs {
        transients = Collections.unmodifiableSet(new TreeSet<>(transients));
        poison = Collections.unmodifiableMap(new TreeMap<>(poison));
    }

    /** {@code count} jobs, of which {@code transientRate} fail once and {@code poisonRate} are poison (rounded). */
    static PhotoJobs generate(int count, double transientRate, double poisonRate, long seed) {
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < count; id++) {
            ids.add(id);
        }
        Collections.shuffle(ids, new Random(seed));
        int poisonCount = (int) Math.round(count * poisonRate);
        int transientCount = (int) Math.round(count * transientRate);
        Map<Integer, String> poison = new TreeMap<>();
        for (int i = 0; i < poisonCount; i++) {
            int id = ids.get(i);
            poison.put(id, POISON_REASONS.get(id % POISON_REASONS.size()));
        }
        Set<Integer> transients = new TreeSet<>(ids.subList(poisonCount, poisonCount + transientCount));
        return new PhotoJobs(count, transients, poison);
    }

    /** The record key of a job: its id, zero-padded so that keys sort as ids do. */
    static String key(int id) {
        return String.format("photo-%05d", id);
    }

    static int id(String key) {
        return Integer.parseInt(key.substring("photo-".length()));
    }

    /** The record value: the uploaded photo to resize. */
    static String value(int id) {
        return "uploads/" + key(id) + ".jpg";
    }

    boolean isTransient(int id) {
        return transients.contains(id);
    }

    /** Why the job is poison, or null if it is not. */
    String poisonReason(int id) {
        return poison.get(id);
    }
}
