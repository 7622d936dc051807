package io.sluice.client;

import io.sluice.proto.v1.ReactorConsumerServiceGrpc.ReactorConsumerServiceStub;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Reads the subscribed topics. Each subscription to {@link #receive()} opens its own stream; Reactor demand
 * becomes broker credit, never more than the prefetch ahead of the subscriber.
 *
 * <p>With {@link ConsumerOptions#group(String)} each subscription is one member of the consumer group. The
 * consumer keeps its subscriptions that are still open, so {@link #commit()} reaches them all; usually there
 * is one.
 */
public final class ReactiveConsumer<K, V> {
    private final ConsumerOptions<K, V> options;
    private final ReactorConsumerServiceStub stub;
    private final RetryPolicy retry;
    private final Scheduler scheduler;
    /** This consumer's open subscriptions, for commit(). */
    private final Set<ConsumerSession<K, V>> sessions = ConcurrentHashMap.newKeySet();
    /** The client's, so that closing it lets cancelled group members commit and leave first. */
    private final Set<ConsumerSession<?, ?>> clientSessions;

    ReactiveConsumer(ConsumerOptions<K, V> options, ReactorConsumerServiceStub stub, RetryPolicy retry, Scheduler scheduler,
                     Set<ConsumerSession<?, ?>> clientSessions) {
        if (options.subscriptions().isEmpty()) {
            throw new IllegalArgumentException("ConsumerOptions name no topic: call topics(...) or partitions(...)");
        }
        ConsumerOptions.Membership membership = options.membership();
        if (membership.group() == null && (membership.instanceId() != null || !membership.sessionTimeout().isZero())) {
            throw new IllegalArgumentException("instanceId(...) and sessionTimeout(...) need group(...)");
        }
        this.options = options;
        this.stub = stub;
        this.retry = retry;
        this.scheduler = scheduler;
        this.clientSessions = clientSessions;
    }

    /**
     * The records of every subscribed partition, in offset order per partition. After a retriable failure
     * (a broker restart) it resumes after the last record received, with no gap and no duplicate.
     *
     * <p>In a consumer group, the records of the partitions the broker assigns to this member, each starting
     * at the group's committed offset. After a retriable failure it rejoins the group; records delivered but
     * not committed before it may come again. Process a record, then {@link ReceivedRecord#ack() ack} it:
     * acknowledged positions are committed every commit interval, on a revoke, by {@link #commit()}, and
     * when the subscription is cancelled (then a dynamic member leaves the group; a static one keeps its
     * partitions for the session timeout, for a restart with the same instance id). Deliver promptly: the
     * subscription answers the broker's keepalives on the thread that calls {@code onNext}, so a subscriber
     * that blocks there for longer than the session timeout gets the member removed from the group.
     */
    public Flux<ReceivedRecord<K, V>> receive() {
        return Flux.defer(() -> {
            ConsumerSession<K, V> session = new ConsumerSession<>(options, stub, retry, scheduler.createWorker());
            sessions.add(session);
            clientSessions.add(session);
            session.closed().subscribe(null, null, () -> {
                sessions.remove(session);
                clientSessions.remove(session);
            });
            return session.records();
        });
    }

    /**
     * Commits the acknowledged positions of every open group subscription of this consumer now, for the
     * partitions each owns. Completes once the broker stored them; fails with {@link MemberFencedException}
     * if the member no longer owns a partition, and with {@link BrokerUnavailableException} if the stream
     * broke before the result came (the rejoin then starts at the committed offsets). Without a group, or
     * with no open subscription, it completes at once.
     */
    public Mono<Void> commit() {
        return Flux.fromIterable(sessions).flatMap(ConsumerSession::commit).then();
    }
}
