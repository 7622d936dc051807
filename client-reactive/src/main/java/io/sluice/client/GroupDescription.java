package io.sluice.client;

import java.time.Duration;
import java.util.List;

/**
 * A consumer group as described by the broker: its members, and every partition of the topics it reads or
 * has committed offsets for, with the group's progress there.
 */
public record GroupDescription(String group, GroupState state, List<Member> members, List<PartitionLag> partitions) {
    public GroupDescription {
        members = List.copyOf(members);
        partitions = List.copyOf(partitions);
    }

    /**
     * One active member.
     *
     * @param instanceId     the static instance id; empty for a dynamic member
     * @param clientId       the client id its stream sent; empty if none
     * @param epoch          grows with every change of the member's partitions
     * @param assigned       partitions it owns, including those it is giving up
     * @param revoking       partitions it was asked to give up and has not yet confirmed
     * @param connected      false for a static member whose stream closed, within its session timeout
     */
    public record Member(String memberId, String instanceId, String clientId, long epoch, List<String> topics,
                         List<TopicPartition> assigned, List<TopicPartition> revoking, Duration sessionTimeout,
                         boolean connected) {
        public Member {
            topics = List.copyOf(topics);
            assigned = List.copyOf(assigned);
            revoking = List.copyOf(revoking);
        }
    }

    /**
     * The group's progress on one partition.
     *
     * @param committedOffset the group's committed offset (the next to read), or -1 if it never committed one
     * @param endOffset       the next offset to be written
     * @param lag             records between the committed offset (or the log start, without one) and the end
     * @param owner           the member id owning the partition now; empty if none
     */
    public record PartitionLag(String topic, int partition, long committedOffset, long endOffset, long lag, String owner) {
        /** Whether the group committed an offset for this partition. */
        public boolean hasCommitted() {
            return committedOffset >= 0;
        }

        /** Whether a member owns the partition now. */
        public boolean owned() {
            return !owner.isEmpty();
        }
    }

    static GroupDescription from(io.sluice.proto.v1.GroupDescription d) {
        List<Member> members = d.getMembersList().stream().map(m -> new Member(m.getMemberId(), m.getInstanceId(),
                m.getClientId(), m.getMemberEpoch(), m.getTopicsList(), partitions(m.getAssignedList()),
                partitions(m.getRevokingList()), Duration.ofMillis(m.getSessionTimeoutMs()), m.getConnected())).toList();
        List<PartitionLag> partitions = d.getPartitionsList().stream().map(p -> new PartitionLag(p.getTopic(),
                p.getPartition(), p.getCommittedOffset(), p.getEndOffset(), p.getLag(), p.getOwner())).toList();
        return new GroupDescription(d.getGroup(), GroupState.from(d.getState()), members, partitions);
    }

    private static List<TopicPartition> partitions(List<io.sluice.proto.v1.PartitionRef> refs) {
        return refs.stream().map(r -> new TopicPartition(r.getTopic(), r.getPartition())).toList();
    }
}
