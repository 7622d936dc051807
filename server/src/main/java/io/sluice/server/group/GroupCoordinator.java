package io.sluice.server.group;

import io.sluice.proto.v1.ErrorCode;
import io.sluice.server.error.SluiceException;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.Topic;
import io.sluice.server.log.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Consumer groups: membership, incremental sticky assignment, liveness and fenced commits. All group state
 * lives on one coordinator thread, so it needs no locks; streams reach it through {@link Membership} and
 * hear back through their {@link MemberChannel}. A tick on that thread sends keepalives and removes members
 * silent for their session timeout.
 */
public final class GroupCoordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);
    static final Duration TICK = Duration.ofMillis(100);

    private final LogManager logs;
    private final LongSupplier nanoTime;
    private final Scheduler scheduler = Schedulers.newSingle("sluice-group", true);
    private final Map<String, ConsumerGroup> groups = new HashMap<>();
    /** Groups an admin action (reset, delete) is working on, with the joins waiting for it. */
    private final Map<String, List<Runnable>> heldJoins = new HashMap<>();
    private final Sinks.Many<AssignmentEvent> events = Sinks.many().multicast().directBestEffort();
    private final ConsumerGroup.Listener listener = new EventLog();
    private final Disposable ticker;
    private long eventSequence;

    /** What a stream asks for when it joins. */
    public record JoinRequest(String group, String instanceId, String clientId, List<String> topics, Duration sessionTimeout) {
        public JoinRequest {
            topics = List.copyOf(topics);
        }
    }

    public GroupCoordinator(LogManager logs) {
        this(logs, System::nanoTime);
    }

    GroupCoordinator(LogManager logs, LongSupplier nanoTime) {
        this.logs = logs;
        this.nanoTime = nanoTime;
        this.ticker = scheduler.schedulePeriodically(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    long nanoTime() {
        return nanoTime.getAsLong();
    }

    /**
     * Adds a stream to a group. The channel hears {@code joined} first, then its assignments. A static member
     * rejoining takes over its partitions (no other member is disturbed) and fences its previous stream.
     */
    public void join(JoinRequest request, MemberChannel channel) {
        run(() -> {
            List<Runnable> held = heldJoins.get(request.group());
            if (held != null) {
                // An admin action on the empty group is running: join once its offsets are stored.
                held.add(() -> join(request, channel));
                return;
            }
            ConsumerGroup group = groups.computeIfAbsent(request.group(), name -> new ConsumerGroup(name, listener));
            Member returning = request.instanceId().isEmpty() ? null : group.byInstance.get(request.instanceId());
            Member member = returning != null ? returning : new Member(UUID.randomUUID().toString(), request.instanceId());
            long now = nanoTime();
            if (returning == null) {
                group.add(member);
                log.info("group {}: member {} joined{}", group.name, member.id,
                        member.isStatic() ? " (instance " + member.instanceId + ")" : "");
            } else {
                if (member.connected()) {
                    member.channel.removed(new SluiceException(ErrorCode.MEMBER_FENCED, "Member " + member.id
                            + " of group '" + group.name + "' was replaced by a newer stream with instance id '"
                            + member.instanceId + "'"));
                }
                log.info("group {}: static member {} (instance {}) is back", group.name, member.id, member.instanceId);
            }
            member.connection++;
            member.channel = channel;
            member.clientId = request.clientId();
            member.topics = request.topics();
            member.sessionTimeoutNanos = request.sessionTimeout().toNanos();
            member.lastHeardNanos = now;
            member.lastKeepaliveNanos = now;
            member.disconnectedAtNanos = 0;
            channel.joined(new Membership(this, group, member, member.connection));
            if (!member.owned.isEmpty()) {
                // A returning static member: the new stream resumes what the member owned.
                member.epoch++;
                List<TopicPartition> keeping = ConsumerGroup.sorted(member.owned.stream()
                        .filter(p -> !member.revoking.contains(p)).toList());
                if (!keeping.isEmpty()) {
                    channel.assigned(member.epoch, keeping);
                }
                if (!member.revoking.isEmpty()) {
                    channel.revoked(member.epoch, ConsumerGroup.sorted(member.revoking));
                }
            }
            reconcile(group);
        });
    }

    Mono<Void> commit(Membership membership, Map<TopicPartition, Long> offsets) {
        return Mono.defer(() -> {
            Member member = membership.member;
            if (!current(membership)) {
                throw fenced(membership.group, member, "is no longer a member (it left, timed out or was replaced)");
            }
            for (TopicPartition p : offsets.keySet()) {
                if (!member.owned.contains(p)) {
                    throw fenced(membership.group, member, "does not own " + p);
                }
            }
            Mono<Void> write = store(membership.group.name, offsets);
            // Until it is stored, the member's partitions stay with it even if it leaves, so the next owner
            // starts at this commit.
            member.pendingWrites++;
            write.subscribe(null, e -> run(() -> written(membership.group, member)),
                    () -> run(() -> written(membership.group, member)));
            return write;
        }).subscribeOn(scheduler);
    }

    private void written(ConsumerGroup group, Member member) {
        if (--member.pendingWrites == 0 && member.releaseWhenWritten) {
            member.releaseWhenWritten = false;
            group.releaseAll(member);
            settle(group);
        }
    }

    void revokeDone(Membership membership, Collection<TopicPartition> partitions, Map<TopicPartition, Long> finalOffsets) {
        run(() -> {
            if (!current(membership)) {
                return;
            }
            Member member = membership.member;
            List<TopicPartition> done = partitions.stream().filter(member.revoking::contains).toList();
            Map<TopicPartition, Long> offsets = new HashMap<>();
            finalOffsets.forEach((p, offset) -> {
                if (done.contains(p)) {
                    offsets.put(p, offset);
                }
            });
            // A bad final offset must not keep the partitions from moving: it is logged, and they move.
            member.pendingWrites++;
            Mono.defer(() -> store(membership.group.name, offsets))
                    .onErrorResume(e -> {
                        log.warn("group {}: final commit of member {} failed: {}", membership.group.name, member.id,
                                e.getMessage());
                        return Mono.empty();
                    })
                    .subscribe(null, null, () -> run(() -> {
                        done.forEach(p -> {
                            if (member.revoking.contains(p)) {
                                membership.group.release(member, p);
                            }
                        });
                        written(membership.group, member);
                        settle(membership.group);
                    }));
        });
    }

    void leave(Membership membership) {
        run(() -> {
            if (current(membership)) {
                remove(membership.group, membership.member, null, "left");
            }
        });
    }

    void closed(Membership membership) {
        run(() -> {
            if (!current(membership)) {
                return;
            }
            Member member = membership.member;
            if (member.isStatic()) {
                member.channel = null;
                member.disconnectedAtNanos = nanoTime();
                log.info("group {}: static member {} disconnected; keeping its partitions for {} ms", membership.group.name,
                        member.id, TimeUnit.NANOSECONDS.toMillis(member.sessionTimeoutNanos));
            } else {
                remove(membership.group, member, null, "closed its stream");
            }
        });
    }

    /** Every active group (with at least one member), as consistent snapshots. */
    public Mono<List<GroupView>> groups() {
        return Mono.fromCallable(() -> groups.values().stream().map(g -> g.view(this::partitionsOf)).toList())
                .subscribeOn(scheduler);
    }

    /** The active group of that name, if it has members. */
    public Mono<Optional<GroupView>> group(String name) {
        return Mono.fromCallable(() -> Optional.ofNullable(groups.get(name)).map(g -> g.view(this::partitionsOf)))
                .subscribeOn(scheduler);
    }

    /**
     * Runs {@code action} on the coordinator's thread if the group has no member (so no member can join
     * while it starts), else fails with GROUP_NOT_EMPTY.
     */
    public <T> Mono<T> whenEmpty(String group, Supplier<Mono<T>> action) {
        return Mono.defer(() -> {
            ConsumerGroup g = groups.get(group);
            if (g != null && !g.members.isEmpty()) {
                throw new SluiceException(ErrorCode.GROUP_NOT_EMPTY, "Consumer group '" + group + "' has "
                        + g.members.size() + " active member(s); stop them (or wait for their session timeout) first");
            }
            if (heldJoins.containsKey(group)) {
                throw new SluiceException(ErrorCode.GROUP_NOT_EMPTY, "Another admin action on consumer group '" + group
                        + "' is running; retry when it is done");
            }
            // Joins wait until the action (and its writes) completes, so no member starts from old offsets.
            heldJoins.put(group, new ArrayList<>());
            // The joins are let in on this thread before the caller hears the outcome, so a next admin call
            // finds the group free.
            return Mono.<T>defer(action)
                    .materialize()
                    .publishOn(scheduler)
                    .doOnNext(outcome -> releaseJoins(group))
                    .doOnCancel(() -> run(() -> releaseJoins(group)))
                    .<T>dematerialize();
        }).subscribeOn(scheduler);
    }

    /**
     * A commit through AdminService: fenced against the group's members (see admin.proto CommitOffsetsRequest),
     * then stored. {@code memberId} is empty when the request named none.
     */
    public Mono<Void> commitAsAdmin(String group, String memberId, long memberEpoch, String topic, Map<Integer, Long> offsets) {
        return Mono.defer(() -> {
            ConsumerGroup g = groups.get(group);
            boolean active = g != null && !g.members.isEmpty();
            if (memberId.isEmpty()) {
                if (active) {
                    throw new SluiceException(ErrorCode.GROUP_NOT_EMPTY, "Consumer group '" + group + "' has "
                            + g.members.size() + " active member(s): a commit must name the owning member_id and member_epoch");
                }
            } else {
                Member member = active ? g.members.get(memberId) : null;
                if (member == null) {
                    throw new SluiceException(ErrorCode.MEMBER_FENCED, "Consumer group '" + group + "' has no member "
                            + memberId + " (it left, timed out or never joined)");
                }
                for (Integer partition : offsets.keySet()) {
                    TopicPartition p = new TopicPartition(topic, partition);
                    Long since = member.assignedAtEpoch.get(p);
                    if (since == null || memberEpoch < since || memberEpoch > member.epoch) {
                        throw fenced(g, member, since == null ? "does not own " + p
                                : "owns " + p + " since epoch " + since + " (now " + member.epoch + "), not at epoch " + memberEpoch);
                    }
                }
            }
            Map<TopicPartition, Long> byPartition = new HashMap<>();
            offsets.forEach((partition, offset) -> byPartition.put(new TopicPartition(topic, partition), offset));
            return store(group, byPartition);
        }).subscribeOn(scheduler);
    }

    private void releaseJoins(String group) {
        List<Runnable> held = heldJoins.remove(group);
        if (held != null) {
            held.forEach(Runnable::run);
        }
    }

    /** The coordinator's assignment log, for tests and diagnostics: every partition assigned and released. */
    public Flux<AssignmentEvent> events() {
        return events.asFlux();
    }

    @Override
    public void close() {
        ticker.dispose();
        scheduler.dispose();
    }

    /** Stores offsets (submitted to the log writer now, on this thread, so commits stay in order). */
    private Mono<Void> store(String group, Map<TopicPartition, Long> offsets) {
        Map<String, Map<Integer, Long>> byTopic = new HashMap<>();
        offsets.forEach((p, offset) -> {
            PartitionLog partition = logs.topic(p.topic()).partition(p.partition());
            if (offset < 0 || offset > partition.highWatermark()) {
                throw new SluiceException(offset < 0 ? ErrorCode.INVALID_OFFSET : ErrorCode.OFFSET_OUT_OF_RANGE,
                        "Offset " + offset + " for " + p + " is outside 0.." + partition.highWatermark());
            }
            byTopic.computeIfAbsent(p.topic(), t -> new HashMap<>()).put(p.partition(), offset);
        });
        List<Mono<Void>> writes = new ArrayList<>();
        byTopic.forEach((topic, byPartition) -> writes.add(logs.offsets().commit(group, topic, byPartition)));
        return Mono.when(writes);
    }

    private void tick() {
        long now = nanoTime();
        for (ConsumerGroup group : List.copyOf(groups.values())) {
            for (Member member : List.copyOf(group.members.values())) {
                if (member.connected()) {
                    long silent = now - member.lastHeardNanos;
                    if (silent > member.sessionTimeoutNanos) {
                        remove(group, member, new SluiceException(ErrorCode.MEMBER_FENCED, "Member " + member.id
                                + " of group '" + group.name + "' sent nothing for " + TimeUnit.NANOSECONDS.toMillis(silent)
                                + " ms (session timeout " + TimeUnit.NANOSECONDS.toMillis(member.sessionTimeoutNanos)
                                + " ms): removed, and its partitions moved; rejoin to get partitions again"), "timed out");
                    } else if (now - member.lastKeepaliveNanos >= member.sessionTimeoutNanos / 3) {
                        member.lastKeepaliveNanos = now;
                        member.channel.keepalive(++member.keepaliveId);
                    }
                } else if (now - member.disconnectedAtNanos > member.sessionTimeoutNanos) {
                    remove(group, member, null, "did not come back within its session timeout");
                }
            }
        }
    }

    private void remove(ConsumerGroup group, Member member, SluiceException reason, String why) {
        log.info("group {}: member {} {}; {} partition(s) move", group.name, member.id, why, member.owned.size());
        group.remove(member);
        if (member.pendingWrites > 0) {
            member.releaseWhenWritten = true;
        } else {
            group.releaseAll(member);
        }
        if (reason != null && member.connected()) {
            member.channel.removed(reason);
        }
        member.channel = null;
        member.connection++;
        settle(group);
    }

    /** After a change of members or owners: forget an idle group, else move toward its target. */
    private void settle(ConsumerGroup group) {
        if (group.idle()) {
            groups.remove(group.name, group);
        } else if (!group.members.isEmpty()) {
            reconcile(group);
        }
    }

    private void reconcile(ConsumerGroup group) {
        group.reconcile(this::partitionsOf);
    }

    private List<TopicPartition> partitionsOf(String topic) {
        return logs.find(topic).filter(t -> !t.partitions().isEmpty() && !t.partitions().get(0).deleted())
                .map(Topic::partitions).orElse(List.of()).stream()
                .map(PartitionLog::id).toList();
    }

    private boolean current(Membership membership) {
        return membership.group.members.get(membership.member.id) == membership.member
                && membership.member.connection == membership.connection;
    }

    private static SluiceException fenced(ConsumerGroup group, Member member, String why) {
        return new SluiceException(ErrorCode.MEMBER_FENCED, "Member " + member.id + " of group '" + group.name + "' " + why
                + "; its commit is rejected");
    }

    private void run(Runnable task) {
        try {
            scheduler.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("group coordinator task failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Shut down: nothing to coordinate any more.
        }
    }

    /** Publishes and logs ownership changes. */
    private final class EventLog implements ConsumerGroup.Listener {
        @Override
        public void assigned(ConsumerGroup group, Member member, TopicPartition partition) {
            publish(group, member, partition, AssignmentEvent.Kind.ASSIGNED);
        }

        @Override
        public void released(ConsumerGroup group, Member member, TopicPartition partition) {
            publish(group, member, partition, AssignmentEvent.Kind.RELEASED);
        }

        private void publish(ConsumerGroup group, Member member, TopicPartition partition, AssignmentEvent.Kind kind) {
            log.debug("group {}: {} {} member {} (epoch {})", group.name, partition, kind, member.id, member.epoch);
            events.tryEmitNext(new AssignmentEvent(++eventSequence, group.name, member.id, partition, kind, member.epoch));
        }
    }
}
