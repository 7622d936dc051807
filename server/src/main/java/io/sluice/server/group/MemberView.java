package io.sluice.server.group;

import io.sluice.server.log.TopicPartition;
import java.time.Duration;
import java.util.List;

/**
 * One member of a group as the coordinator sees it.
 *
 * @param instanceId the static instance id, or empty for a dynamic member
 * @param assigned   partitions the member owns, including those it is giving up
 * @param revoking   partitions it was asked to give up and has not yet confirmed
 * @param connected  false for a static member whose stream closed and which is within its session timeout
 */
public record MemberView(String memberId, String instanceId, String clientId, long epoch, List<String> topics,
                         List<TopicPartition> assigned, List<TopicPartition> revoking, Duration sessionTimeout,
                         boolean connected) {
    public MemberView {
        topics = List.copyOf(topics);
        assigned = List.copyOf(assigned);
        revoking = List.copyOf(revoking);
    }
}
