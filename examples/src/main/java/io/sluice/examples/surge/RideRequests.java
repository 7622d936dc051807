package io.sluice.examples.surge;

import io.sluice.client.LimitExceededException;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.ReactiveProducer;
import io.sluice.client.SluiceClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/** The riders' side: a burst of ride requests sent to the topic. */
final class RideRequests {
    private static final int SLICES = 10;

    private final SluiceClient client;
    private final String topic;
    private final int count;
    private final Duration over;
    private final Set<Integer> stored = ConcurrentHashMap.newKeySet();
    private final AtomicLong refusals = new AtomicLong();

    RideRequests(SluiceClient client, String topic, int count, Duration over) {
        this.client = client;
        this.topic = topic;
        this.count = count;
        this.over = over;
    }

    /** Sends the burst with the producer's defaults; completes when the broker has stored every request. */
    Mono<Long> send() {
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings());
        return producer.send(burst(IntStream.range(0, count).boxed().toList()))
                .doOnNext(result -> stored.add(result.correlation()))
                .count();
    }

    /**
     * Sends the burst to a topic with {@code backlog.policy=reject}: when the broker refuses a batch
     * (LIMIT_EXCEEDED, gRPC status RESOURCE_EXHAUSTED) because the backlog is at its limit, waits
     * {@code backoff} and sends every request not stored yet as a new burst. Completes when all are stored.
     */
    Mono<Long> sendWithBackoff(Duration backoff) {
        ReactiveProducer<String, String> producer = client.producer(ProducerOptions.strings()
                // One batch at a time: the send fails at the first refusal, so the results of batches in flight
                // after it would be lost; one stored out of our sight would be sent again, and stored twice.
                .maxInFlight(1)
                // Batches well below the backlog limit, so one fits as soon as the workers commit a little.
                .batchBytes(2048));
        return Flux.defer(() -> producer.send(burst(notStored())))
                .doOnNext(result -> stored.add(result.correlation()))
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, backoff)
                        .filter(LimitExceededException.class::isInstance)
                        .doBeforeRetry(signal -> {
                            long n = refusals.incrementAndGet();
                            LimitExceededException e = (LimitExceededException) signal.failure();
                            System.out.printf("  producer: refused (%s, gRPC RESOURCE_EXHAUSTED)%s; backing off %d ms (the broker"
                                            + " suggests %d ms), %d requests not stored yet%n", e.code(), n == 1 ? ": " + e.getMessage() : "",
                                    backoff.toMillis(), e.retryAfter().toMillis(), count - stored.size());
                        }))
                .then(Mono.fromSupplier(() -> (long) stored.size()));
    }

    /** Distinct requests the broker acknowledged. */
    long stored() {
        return stored.size();
    }

    /** Batches the broker refused. */
    long refusals() {
        return refusals.get();
    }

    private List<Integer> notStored() {
        return IntStream.range(0, count).filter(i -> !stored.contains(i)).boxed().toList();
    }

    /** The requests, in {@value #SLICES} slices spread evenly over the burst's duration. */
    private Flux<ProducerRecord<String, String, Integer>> burst(List<Integer> ids) {
        int slice = (ids.size() + SLICES - 1) / SLICES;
        return Flux.range(0, SLICES)
                .delayElements(over.dividedBy(SLICES))
                .concatMapIterable(i -> ids.subList(Math.min(ids.size(), i * slice), Math.min(ids.size(), (i + 1) * slice)))
                .map(this::request);
    }

    private ProducerRecord<String, String, Integer> request(int id) {
        // Keyed by ride, so the requests spread over the partitions, and so over the workers.
        return ProducerRecord.of(topic, "ride-" + id, "pickup zone " + id % 40 + ", 1 passenger").withCorrelation(id);
    }
}
