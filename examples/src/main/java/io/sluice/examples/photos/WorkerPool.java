package io.sluice.examples.photos;

import io.sluice.client.ProcessedRecord;
import io.sluice.client.QueueOptions;
import io.sluice.client.SluiceClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import reactor.core.Disposable;

/**
 * The workers: each is a queue subscription of its own (one stream, as separate processes would have),
 * processing one job at a time. The broker hands each job to one worker with credit, whatever partition it
 * is in. The pool counts how every job was settled, as the broker confirmed it.
 */
final class WorkerPool implements AutoCloseable {
    /** Retries and rejections printed as they happen; the rest only counted. */
    private static final int RETRIES_SHOWN = 3;

    private final Map<Integer, AtomicLong> acksById = new ConcurrentHashMap<>();
    private final Map<Integer, String> rejected = new ConcurrentHashMap<>();
    private final AtomicLong nacks = new AtomicLong();
    private final AtomicLong redeliveries = new AtomicLong();
    private final AtomicLong settleErrors = new AtomicLong();
    private final AtomicLongArray perWorker;
    private final List<Disposable> workers = new ArrayList<>();

    WorkerPool(SluiceClient client, QueueOptions<String, String> options, PhotoJobs jobs, int count, long seed,
               int minMillis, int maxMillis) {
        perWorker = new AtomicLongArray(count);
        for (int i = 0; i < count; i++) {
            int worker = i;
            PhotoProcessor processor = new PhotoProcessor(jobs, seed + worker, minMillis, maxMillis);
            workers.add(client.queue(options)
                    .process(processor::process, 1)
                    .subscribe(processed -> settled(worker, processed),
                            error -> System.out.printf("  worker %d stopped: %s%n", worker + 1, error)));
        }
    }

    private void settled(int worker, ProcessedRecord<String, String> processed) {
        int id = PhotoJobs.id(processed.record().key());
        int delivery = processed.record().deliveryCount();
        if (processed.settleError() != null) {
            // Not stored: the job stays in the queue and comes again. Never expected in this example.
            settleErrors.incrementAndGet();
            System.out.printf("  worker %d: %s: outcome not stored (%s)%n", worker + 1, PhotoJobs.key(id), processed.settleError());
            return;
        }
        if (delivery > 1) {
            redeliveries.incrementAndGet();
        }
        switch (processed.outcome()) {
            case ACKED -> {
                acksById.computeIfAbsent(id, x -> new AtomicLong()).incrementAndGet();
                perWorker.incrementAndGet(worker);
                if (delivery > 1 && redeliveries.get() <= RETRIES_SHOWN) {
                    System.out.printf("  worker %d: %s done on try %d%n", worker + 1, PhotoJobs.key(id), delivery);
                }
            }
            case NACKED -> {
                if (nacks.incrementAndGet() <= RETRIES_SHOWN) {
                    System.out.printf("  worker %d: %s failed (%s): retried after the backoff%n", worker + 1,
                            PhotoJobs.key(id), processed.error().getMessage());
                }
            }
            case REJECTED -> {
                rejected.put(id, processed.error().getMessage());
                System.out.printf("  worker %d: %s is poison (%s): dead-lettered%n", worker + 1, PhotoJobs.key(id),
                        processed.error().getMessage());
            }
        }
    }

    /** Distinct jobs acked. */
    long processed() {
        return acksById.size();
    }

    /** Acks beyond the first of a job: 0 when each job is processed once. */
    long duplicates() {
        return acksById.values().stream().mapToLong(AtomicLong::get).sum() - acksById.size();
    }

    /** Failed tries given back for a retry (nacks). */
    long retried() {
        return nacks.get();
    }

    /** Tries that were a redelivery of a job tried before. */
    long redeliveries() {
        return redeliveries.get();
    }

    /** The jobs rejected as poison, with the reason given. */
    Map<Integer, String> rejected() {
        return new TreeMap<>(rejected);
    }

    /** Outcomes the broker did not store. */
    long settleErrors() {
        return settleErrors.get();
    }

    /** Jobs each worker processed (acked). */
    List<Long> perWorker() {
        List<Long> counts = new ArrayList<>();
        for (int i = 0; i < perWorker.length(); i++) {
            counts.add(perWorker.get(i));
        }
        return counts;
    }

    /** Stops every worker: their streams close. */
    @Override
    public void close() {
        workers.forEach(Disposable::dispose);
    }
}
