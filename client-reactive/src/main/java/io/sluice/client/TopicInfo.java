package io.sluice.client;

import java.util.List;
import java.util.Map;

/** A topic as described by the broker: its partitions and every config with its effective value. */
public record TopicInfo(String name, List<PartitionInfo> partitions, Map<String, String> configs) {
    /** One partition: the offsets it holds, its approximate size and its leader. */
    public record PartitionInfo(int partition, long startOffset, long endOffset, long sizeBytes, int leader) {
    }

    static TopicInfo from(io.sluice.proto.v1.TopicDescription d) {
        return new TopicInfo(d.getName(), d.getPartitionsList().stream()
                .map(p -> new PartitionInfo(p.getPartition(), p.getStartOffset(), p.getEndOffset(), p.getSizeBytes(), p.getLeader()))
                .toList(), new java.util.TreeMap<>(d.getConfigsMap()));
    }
}
