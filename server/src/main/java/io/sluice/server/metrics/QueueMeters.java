package io.sluice.server.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.sluice.proto.v1.QueueDescription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Each queue's backlog, records in flight and delayed, dead-lettered records, oldest unsettled record and
 * workers, from the queues' own descriptions (what {@code sluice queues list} shows), taken before each
 * scrape. Counters of what happened (delivered, acked, nacked) are the queue service's own meters.
 */
public final class QueueMeters {
    private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(5);

    private final Supplier<Mono<List<QueueDescription>>> queues;
    private final MultiGauge backlog;
    private final MultiGauge inFlight;
    private final MultiGauge delayed;
    private final MultiGauge deadLettered;
    private final MultiGauge oldestAge;
    private final MultiGauge workers;

    /** @param queues every queue's description (no per-partition detail) */
    public QueueMeters(MeterRegistry meters, Supplier<Mono<List<QueueDescription>>> queues) {
        this.queues = queues;
        this.backlog = MultiGauge.builder("sluice.queue.backlog")
                .description("Records of a queue not settled yet: waiting, in flight or waiting for a retry").register(meters);
        this.inFlight = MultiGauge.builder("sluice.queue.in.flight")
                .description("Records of a queue delivered and locked to a worker now").register(meters);
        this.delayed = MultiGauge.builder("sluice.queue.delayed")
                .description("Records of a queue waiting for their redelivery time (nack delay or backoff)").register(meters);
        this.deadLettered = MultiGauge.builder("sluice.queue.dead.lettered")
                .description("Records a queue moved to its dead-letter topic, ever (stored with the queue)").register(meters);
        this.oldestAge = MultiGauge.builder("sluice.queue.oldest.age").baseUnit("seconds")
                .description("Age of a queue's oldest unsettled record, from its append; 0 with an empty backlog")
                .register(meters);
        this.workers = MultiGauge.builder("sluice.queue.workers")
                .description("Workers subscribed to a queue now").register(meters);
    }

    /** Recomputes every row; blocking (waits for the queues' answers): call before a scrape, off the event loops. */
    public void refresh() {
        List<QueueDescription> all = queues.get().block(DESCRIBE_TIMEOUT);
        List<MultiGauge.Row<?>> backlogs = new ArrayList<>();
        List<MultiGauge.Row<?>> inFlights = new ArrayList<>();
        List<MultiGauge.Row<?>> delays = new ArrayList<>();
        List<MultiGauge.Row<?>> deadLetters = new ArrayList<>();
        List<MultiGauge.Row<?>> ages = new ArrayList<>();
        List<MultiGauge.Row<?>> workerCounts = new ArrayList<>();
        for (QueueDescription queue : all == null ? List.<QueueDescription>of() : all) {
            Tags tags = Tags.of("queue", queue.getName(), "topic", queue.getTopic());
            backlogs.add(MultiGauge.Row.of(tags, queue.getBacklog()));
            inFlights.add(MultiGauge.Row.of(tags, queue.getInFlight()));
            delays.add(MultiGauge.Row.of(tags, queue.getDelayed()));
            deadLetters.add(MultiGauge.Row.of(tags, queue.getDeadLettered()));
            ages.add(MultiGauge.Row.of(tags, queue.getOldestAgeMs() / 1000.0));
            workerCounts.add(MultiGauge.Row.of(tags, queue.getWorkers()));
        }
        backlog.register(backlogs, true);
        inFlight.register(inFlights, true);
        delayed.register(delays, true);
        deadLettered.register(deadLetters, true);
        oldestAge.register(ages, true);
        workers.register(workerCounts, true);
    }

    /** Removes every row (the broker stops). */
    public void close() {
        for (MultiGauge gauge : List.of(backlog, inFlight, delayed, deadLettered, oldestAge, workers)) {
            gauge.register(List.of(), true);
        }
    }
}
