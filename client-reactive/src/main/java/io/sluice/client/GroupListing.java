package io.sluice.client;

import java.util.List;

/**
 * A consumer group as listed: its state, how many active members it has, and the topics it reads or has
 * committed offsets for (sorted).
 */
public record GroupListing(String group, GroupState state, int members, List<String> topics) {
    public GroupListing {
        topics = List.copyOf(topics);
    }

    static GroupListing from(io.sluice.proto.v1.GroupSummary summary) {
        return new GroupListing(summary.getGroup(), GroupState.from(summary.getState()), summary.getMembers(),
                summary.getTopicsList());
    }
}
