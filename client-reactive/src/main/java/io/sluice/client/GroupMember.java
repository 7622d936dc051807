package io.sluice.client;

import io.sluice.proto.v1.CommitRequest;
import io.sluice.proto.v1.CommitResult;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.PartitionOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a consumer session knows as a group member: its member id, the partitions it owns with their
 * acknowledgements, and its commits awaiting a result. Lives on the session worker, like the session.
 */
final class GroupMember {
    private final Map<TopicPartition, PartitionAcks> owned = new LinkedHashMap<>();
    private final Map<Long, Pending> pending = new HashMap<>();
    private long nextCommitId;
    private String memberId = "";

    /** A commit in flight: the offsets it carries and who waits for it (null on success, else the failure). */
    private record Pending(Map<PartitionAcks, Long> offsets, Consumer<Throwable> whenDone) {
    }

    void joined(String memberId) {
        this.memberId = memberId;
    }

    String memberId() {
        return memberId;
    }

    boolean owns(TopicPartition partition) {
        return owned.containsKey(partition);
    }

    /** The partition's acknowledgements; null when not owned. */
    PartitionAcks acks(TopicPartition partition) {
        return owned.get(partition);
    }

    List<TopicPartition> partitions() {
        return List.copyOf(owned.keySet());
    }

    void assign(TopicPartition partition, long start) {
        owned.put(partition, new PartitionAcks(start));
    }

    /** Gives up the partitions it owns among these; returns their acknowledgements. */
    Map<TopicPartition, PartitionAcks> release(Collection<TopicPartition> partitions) {
        Map<TopicPartition, PartitionAcks> released = new LinkedHashMap<>();
        for (TopicPartition partition : partitions) {
            PartitionAcks acks = owned.remove(partition);
            if (acks != null) {
                released.put(partition, acks);
            }
        }
        return released;
    }

    /** The positions of these partitions that moved since their last commit. */
    static List<PartitionOffset> uncommitted(Map<TopicPartition, PartitionAcks> partitions) {
        List<PartitionOffset> offsets = new ArrayList<>();
        partitions.forEach((partition, acks) -> {
            if (acks.uncommitted()) {
                offsets.add(PartitionOffset.newBuilder().setTopic(partition.topic()).setPartition(partition.partition())
                        .setOffset(acks.position()).build());
            }
        });
        return offsets;
    }

    /**
     * A commit of every owned partition whose position moved since its last commit, registered to tell
     * {@code whenDone} its result; null (and {@code whenDone} told of success at once) when none moved.
     */
    CommitRequest commit(Consumer<Throwable> whenDone) {
        Map<PartitionAcks, Long> offsets = new HashMap<>();
        CommitRequest.Builder request = CommitRequest.newBuilder();
        owned.forEach((partition, acks) -> {
            if (acks.uncommitted()) {
                long position = acks.position();
                offsets.put(acks, position);
                request.addOffsets(PartitionOffset.newBuilder().setTopic(partition.topic())
                        .setPartition(partition.partition()).setOffset(position));
            }
        });
        if (offsets.isEmpty()) {
            whenDone.accept(null);
            return null;
        }
        long id = ++nextCommitId;
        pending.put(id, new Pending(offsets, whenDone));
        return request.setId(id).build();
    }

    void onCommitResult(CommitResult result) {
        Pending commit = pending.remove(result.getId());
        if (commit == null) {
            return; // not ours (a broker bug) or already failed with the stream: nothing waits for it
        }
        if (result.getError() == ErrorCode.ERROR_CODE_NONE) {
            commit.offsets().forEach(PartitionAcks::committed);
            commit.whenDone().accept(null);
        } else {
            commit.whenDone().accept(Errors.of(result.getError(), result.getMessage(), null));
        }
    }

    /** The stream is gone: its partitions, and the commits awaiting a result, with it. */
    void reset(Throwable why) {
        owned.clear();
        memberId = "";
        List<Pending> failed = new ArrayList<>(pending.values());
        pending.clear();
        failed.forEach(p -> p.whenDone().accept(why));
    }
}
