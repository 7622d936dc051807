package io.sluice.server.group;

import io.sluice.proto.v1.GroupState;
import java.util.List;
import java.util.Set;

/**
 * A consistent snapshot of an active consumer group, taken on the coordinator's thread.
 *
 * @param topics every topic some member subscribed to
 */
public record GroupView(String group, GroupState state, List<MemberView> members, Set<String> topics) {
    public GroupView {
        members = List.copyOf(members);
        topics = Set.copyOf(topics);
    }
}
