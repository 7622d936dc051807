package io.sluice.server.log;

import io.sluice.proto.v1.ErrorCode;
import io.sluice.server.config.TopicConfig;
import io.sluice.server.error.SluiceException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A topic: its partitions' logs and its current config. */
public final class Topic {
    private final String name;
    private final long id;
    private final List<PartitionLog> partitions;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private volatile TopicConfig config;

    /** @param partitions makes the topic's logs; they may read the topic's config as it changes */
    Topic(String name, long id, TopicConfig config, Function<Topic, List<PartitionLog>> partitions) {
        this.name = name;
        this.id = id;
        this.config = config;
        this.partitions = List.copyOf(partitions.apply(this));
    }

    public String name() {
        return name;
    }

    /** The topic's id: never reused, so a topic deleted and created again has a new one. */
    public long id() {
        return id;
    }

    public int partitionCount() {
        return partitions.size();
    }

    public List<PartitionLog> partitions() {
        return partitions;
    }

    /** The partition's log; INVALID_PARTITION if it does not exist. */
    public PartitionLog partition(int partition) {
        if (partition < 0 || partition >= partitions.size()) {
            throw new SluiceException(ErrorCode.INVALID_PARTITION, "Partition " + partition + " does not exist in topic '"
                    + name + "', which has partitions 0.." + (partitions.size() - 1));
        }
        return partitions.get(partition);
    }

    /** The next partition for keyless data, spreading it evenly. */
    public int nextRoundRobinPartition() {
        return Math.floorMod(roundRobin.getAndIncrement(), partitions.size());
    }

    public TopicConfig config() {
        return config;
    }

    void config(TopicConfig config) {
        this.config = config;
    }
}
