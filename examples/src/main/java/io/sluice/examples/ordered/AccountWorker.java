package io.sluice.examples.ordered;

import io.sluice.client.ConsumerOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.StartPosition;
import io.sluice.client.TopicPartition;
import io.sluice.examples.common.Pace;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * One member of the group applying account events. A partition's records come in offset order and each
 * member handles them one at a time ({@code concatMap}), so an account's events are applied in the order
 * they were produced.
 */
final class AccountWorker implements AutoCloseable {
    private final String name;
    private final Set<Integer> owned = new ConcurrentSkipListSet<>();
    private final AtomicInteger revoked = new AtomicInteger();
    private volatile boolean closing;
    private final Disposable subscription;

    AccountWorker(SluiceClient client, String name, String topic, String group, int perSecond, Ledger ledger) {
        this.name = name;
        Pace pace = new Pace(perSecond); // stands in for the real work of an event
        subscription = client.consumer(ConsumerOptions.strings()
                        .topics(topic)
                        .group(group)
                        .start(StartPosition.earliest())
                        .onAssigned(this::assigned)
                        .onRevoked(this::revoked))
                .receive()
                // One at a time: flatMap would apply several of a partition's events at once, out of order.
                .concatMap(record -> Mono.defer(pace::next).doOnNext(done -> {
                    ledger.apply(AccountEvents.Event.parse(record.key(), record.value()));
                    record.ack();
                }))
                .subscribe();
    }

    private void assigned(Collection<TopicPartition> partitions) {
        partitions.forEach(p -> owned.add(p.partition()));
        System.out.printf("  worker %s: assigned partitions %s%n", name, numbers(partitions));
    }

    private void revoked(Collection<TopicPartition> partitions) {
        partitions.forEach(p -> owned.remove(p.partition()));
        if (closing) {
            return; // giving up its partitions on leaving: not a move worth a line
        }
        revoked.addAndGet(partitions.size());
        System.out.printf("  worker %s: revoked partitions %s%n", name, numbers(partitions));
    }

    private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
        Set<Integer> numbers = new TreeSet<>();
        partitions.forEach(p -> numbers.add(p.partition()));
        return numbers;
    }

    String name() {
        return name;
    }

    Set<Integer> partitions() {
        return new TreeSet<>(owned);
    }

    /** Partitions taken from this worker so far, while it was running. */
    int revokedCount() {
        return revoked.get();
    }

    /** Leaves the group, committing what it applied. */
    @Override
    public void close() {
        closing = true;
        subscription.dispose();
    }
}
