package io.sluice.server.group;

import io.sluice.server.log.TopicPartition;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One member of a group. Owned by the coordinator's thread, except the two volatile fields. */
final class Member {
    final String id;
    final String instanceId;
    String clientId;
    List<String> topics;
    long sessionTimeoutNanos;
    /** The stream speaking for the member now; null while a static member is away. */
    MemberChannel channel;
    /** Which stream (join) is the current one: a newer stream with the same instance id fences older ones. */
    volatile long connection;
    /** When the current stream last sent anything; written by the stream's thread. */
    volatile long lastHeardNanos;
    long lastKeepaliveNanos;
    long keepaliveId;
    long disconnectedAtNanos;
    long epoch;
    /** Commits accepted from the member and not yet stored: its partitions move only after them. */
    int pendingWrites;
    /** Removed while commits were pending: release its partitions when the last is stored. */
    boolean releaseWhenWritten;
    /** Partitions the member owns, including those it is giving up. */
    final Set<TopicPartition> owned = new LinkedHashSet<>();
    /** Owned partitions the member was asked to give up and has not yet confirmed. */
    final Set<TopicPartition> revoking = new LinkedHashSet<>();
    /** The member epoch at which each owned partition was assigned: older commits for it are fenced. */
    final Map<TopicPartition, Long> assignedAtEpoch = new HashMap<>();

    Member(String id, String instanceId) {
        this.id = id;
        this.instanceId = instanceId;
    }

    boolean isStatic() {
        return !instanceId.isEmpty();
    }

    boolean connected() {
        return channel != null;
    }
}
