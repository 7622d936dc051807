package io.sluice.server.group;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/** Consumer groups: membership, incremental sticky assignment, liveness and fenced commits. */
public final class GroupCoordinator implements AutoCloseable {

    /** Every active group (with at least one member), as consistent snapshots. */
    public Mono<List<GroupView>> groups() {
        throw new UnsupportedOperationException("TODO");
    }

    /** The active group of that name, if it has members. */
    public Mono<Optional<GroupView>> group(String name) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Runs {@code action} on the coordinator's thread if the group has no member (so no member can join
     * while it starts), else fails with GROUP_NOT_EMPTY.
     */
    public <T> Mono<T> whenEmpty(String group, Supplier<Mono<T>> action) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * A commit through AdminService: fenced against the group's members (see admin.proto CommitOffsetsRequest),
     * then stored. {@code memberId} is empty when the request named none.
     */
    public Mono<Void> commitAsAdmin(String group, String memberId, long memberEpoch, String topic, Map<Integer, Long> offsets) {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void close() {
    }
}
