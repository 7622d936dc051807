package io.sluice.examples.photos;

import io.sluice.client.QueueRecord;
import io.sluice.client.RejectRecordException;
import java.time.Duration;
import java.util.Random;
import reactor.core.publisher.Mono;

/**
 * What a worker does with one photo job: resize it, which takes a random time in a bounded range (a delay here,
 * so no thread is blocked). How it ends tells the queue what to do: completes (ack), fails with
 * {@link StorageUnavailableException} (nack: retried after the queue's backoff), or fails with
 * {@link RejectRecordException} (poison: dead-lettered at once, with the reason).
 * Not thread-safe: one per worker, which processes one job at a time.
 */
final class PhotoProcessor {
    private final PhotoJobs jobs;
    private final Random random;
    private final int minMillis;
    private final int maxMillis;

    PhotoProcessor(PhotoJobs jobs, long seed, int minMillis, int maxMillis) {
        this.jobs = jobs;
        this.random = new Random(seed);
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
    }

    Mono<Void> process(QueueRecord<String, String> job) {
        int id = PhotoJobs.id(job.key());
        Duration work = Duration.ofMillis(minMillis + random.nextInt(maxMillis - minMillis + 1));
        return Mono.delay(work).then(Mono.fromRunnable(() -> {
            String poison = jobs.poisonReason(id);
            if (poison != null) {
                // Retrying cannot help: say why, and let it go to the dead-letter topic for a human to look at.
                throw new RejectRecordException(poison);
            }
            if (jobs.isTransient(id) && job.deliveryCount() == 1) {
                // Worth another try: the queue delivers it again after its backoff, maybe to another worker.
                throw new StorageUnavailableException("thumbnail store answered 503 for " + job.key());
            }
            // The resized photos would be written out here.
        }));
    }

    /** A failure that goes away on its own: the job is retried. */
    static final class StorageUnavailableException extends RuntimeException {
        StorageUnavailableException(String message) {
            super(message);
        }
    }
}
