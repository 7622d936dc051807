package io.sluice.server.group;

import io.sluice.server.log.TopicPartition;

/**
 * One entry of the coordinator's assignment log: a partition given to a member, or taken back from it.
 * In a group, a partition is ASSIGNED again only after the RELEASED of its previous owner.
 */
public record AssignmentEvent(long sequence, String group, String memberId, TopicPartition partition, Kind kind,
                              long memberEpoch) {
    public enum Kind {
        ASSIGNED,
        RELEASED
    }
}
