package io.sluice.server.group;

import io.sluice.server.log.TopicPartition;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * One stream's membership in a group: what the stream tells the coordinator. Every method is cheap and
 * non-blocking; all but {@link #heard()} hop to the coordinator's thread. A membership that was replaced
 * (a newer stream with the same instance id) or removed is fenced: its commits fail, its other calls do nothing.
 */
public final class Membership {
    private final GroupCoordinator coordinator;
    final ConsumerGroup group;
    final Member member;
    final long connection;

    Membership(GroupCoordinator coordinator, ConsumerGroup group, Member member, long connection) {
        this.coordinator = coordinator;
        this.group = group;
        this.member = member;
        this.connection = connection;
    }

    public String group() {
        return group.name;
    }

    public String memberId() {
        return member.id;
    }

    public Duration sessionTimeout() {
        return Duration.ofNanos(member.sessionTimeoutNanos);
    }

    /** The client sent something: it is alive. */
    public void heard() {
        if (member.connection == connection) {
            member.lastHeardNanos = coordinator.nanoTime();
        }
    }

    /** Stores the offsets if this member owns every partition named; fails with MEMBER_FENCED otherwise. */
    public Mono<Void> commit(Map<TopicPartition, Long> offsets) {
        return coordinator.commit(this, offsets);
    }

    /** The client stopped processing these revoked partitions: commit their final offsets, then move them. */
    public void revokeDone(Collection<TopicPartition> partitions, Map<TopicPartition, Long> finalOffsets) {
        coordinator.revokeDone(this, partitions, finalOffsets);
    }

    /** The client asked to leave: its partitions move at once, even for a static member. */
    public void leave() {
        coordinator.leave(this);
    }

    /** The stream ended: a dynamic member leaves; a static one is kept for its session timeout. */
    public void closed() {
        coordinator.closed(this);
    }
}
