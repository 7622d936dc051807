package io.sluice.examples.adclicks;

import io.sluice.client.ConsumerOptions;
import io.sluice.client.ReceivedRecord;
import io.sluice.client.SluiceClient;
import io.sluice.client.StartPosition;
import io.sluice.examples.common.Pace;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * One member of the aggregating consumer group: counts the clicks per ad of the partitions it is assigned,
 * handling {@code perSecond} clicks a second.
 */
final class Aggregator implements AutoCloseable {
    private final String name;
    private final Map<String, Long> clicksByAd = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> clicksByPartition = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong lastCountNanos = new AtomicLong();
    private final Set<Integer> owned = new ConcurrentSkipListSet<>();
    private final Disposable subscription;

    Aggregator(SluiceClient client, String name, String topic, String group, int perSecond) {
        this.name = name;
        Pace pace = new Pace(perSecond); // stands in for the real work of a click (enrich, dedupe, store)
        subscription = client.consumer(ConsumerOptions.strings()
                        .topics(topic)
                        .group(group)
                        .start(StartPosition.earliest())
                        .onAssigned(partitions -> partitions.forEach(p -> owned.add(p.partition())))
                        .onRevoked(partitions -> partitions.forEach(p -> owned.remove(p.partition()))))
                .receive()
                .concatMap(click -> Mono.defer(pace::next).doOnNext(done -> count(click)))
                .subscribe();
    }

    private void count(ReceivedRecord<String, String> click) {
        // The ad comes from the value, not the key: the key only decides the partition.
        clicksByAd.merge(Clicks.Click.adOf(click.value()), 1L, Long::sum);
        clicksByPartition.computeIfAbsent(click.partition(), p -> new AtomicLong()).incrementAndGet();
        total.incrementAndGet();
        lastCountNanos.set(System.nanoTime());
        click.ack();
    }

    String name() {
        return name;
    }

    long total() {
        return total.get();
    }

    /** The partitions the group assigned to this aggregator. */
    Set<Integer> partitions() {
        return new TreeSet<>(owned);
    }

    /** When it counted its last click, in {@link System#nanoTime()}. */
    long lastCountNanos() {
        return lastCountNanos.get();
    }

    /** This aggregator's counts per ad: complete for an ad only if all its clicks are in this one's partitions. */
    Map<String, Long> clicksByAd() {
        return new TreeMap<>(clicksByAd);
    }

    /** Clicks counted per partition: the load each partition brought. */
    Map<Integer, Long> clicksByPartition() {
        Map<Integer, Long> load = new TreeMap<>();
        clicksByPartition.forEach((partition, count) -> load.put(partition, count.get()));
        return load;
    }

    /** Leaves the group, committing what it counted. */
    @Override
    public void close() {
        subscription.dispose();
    }
}
