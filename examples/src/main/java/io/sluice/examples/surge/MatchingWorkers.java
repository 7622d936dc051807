package io.sluice.examples.surge;

import io.sluice.client.ConsumerOptions;
import io.sluice.client.ReceivedRecord;
import io.sluice.client.SluiceClient;
import io.sluice.client.StartPosition;
import io.sluice.examples.common.Pace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The matching workers: one consumer group, each member matching {@code perSecond} ride requests a second.
 * Each asks the broker only for what it can handle next, so the backlog waits in the broker, not in them.
 */
final class MatchingWorkers implements AutoCloseable {
    private final Set<String> matched = ConcurrentHashMap.newKeySet();
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicLong lastMatchNanos = new AtomicLong();
    private final List<Disposable> workers = new ArrayList<>();

    MatchingWorkers(SluiceClient client, String topic, String group, int count, int perSecond) {
        ConsumerOptions<String, String> options = ConsumerOptions.strings()
                .topics(topic)
                .group(group)
                .start(StartPosition.earliest())
                // The broker counts the backlog from the group's committed offsets: commit often, so that
                // it sees the workers' progress (a backlog limit frees up as they commit).
                .commitInterval(Duration.ofMillis(200))
                // A small prefetch: requests a worker has not started on stay in the broker's backlog.
                .prefetch(32, 1 << 20);
        for (int i = 0; i < count; i++) {
            Pace pace = new Pace(perSecond); // stands in for the matching work
            workers.add(client.consumer(options).receive()
                    .concatMap(request -> Mono.defer(pace::next).doOnNext(done -> match(request)))
                    .subscribe());
        }
    }

    private void match(ReceivedRecord<String, String> request) {
        deliveries.incrementAndGet();
        matched.add(request.key()); // a real worker would assign a driver here
        lastMatchNanos.set(System.nanoTime());
        request.ack(); // processed: the next commit moves past it
    }

    /** Distinct ride requests matched. */
    long matched() {
        return matched.size();
    }

    /** When the last request was matched, in {@link System#nanoTime()}. */
    long lastMatchNanos() {
        return lastMatchNanos.get();
    }

    /** Requests delivered again after they were matched (at-least-once; none while the group stays settled). */
    long duplicates() {
        return deliveries.get() - matched.size();
    }

    /** Stops the workers: each commits what it matched and leaves the group. */
    @Override
    public void close() {
        workers.forEach(Disposable::dispose);
    }
}
