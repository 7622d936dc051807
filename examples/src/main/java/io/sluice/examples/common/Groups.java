package io.sluice.examples.common;

import io.sluice.client.GroupDescription;
import io.sluice.client.GroupNotFoundException;
import io.sluice.client.GroupState;
import io.sluice.client.SluiceAdmin;
import java.time.Duration;
import reactor.core.publisher.Mono;

/** Consumer group helpers. */
public final class Groups {
    private Groups() {
    }

    /**
     * Waits until {@code members} members share the group, each owning partitions and none moving. Records
     * are at-least-once: one delivered just before its partition moves comes again to the new owner. Sending
     * only once the group has settled means every record is processed once.
     */
    public static GroupDescription awaitSettled(SluiceAdmin admin, String group, int members, Duration timeout) {
        return Mono.defer(() -> admin.describeGroup(group))
                .onErrorResume(GroupNotFoundException.class, e -> Mono.empty()) // until the first member has joined
                .filter(d -> d.state() == GroupState.STABLE && d.members().size() == members
                        && d.members().stream().allMatch(m -> !m.assigned().isEmpty() && m.revoking().isEmpty())
                        && d.partitions().stream().allMatch(GroupDescription.PartitionLag::owned))
                .repeatWhenEmpty(Integer.MAX_VALUE, ticks -> ticks.delayElements(Duration.ofMillis(50)))
                .timeout(timeout)
                .block();
    }

    /** Records the group has yet to process: end minus committed offset, summed over its partitions. */
    public static Mono<Long> lag(SluiceAdmin admin, String group) {
        return admin.describeGroup(group)
                .map(d -> d.partitions().stream().mapToLong(GroupDescription.PartitionLag::lag).sum());
    }
}
