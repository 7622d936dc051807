package io.sluice.client;

import java.util.List;

/** The brokers and, per topic, the partitions and their leaders. */
public record ClusterMetadata(List<Broker> brokers, List<Topic> topics, int respondingBroker) {
    public record Broker(int id, String host, int port) {
    }

    public record Topic(String name, List<Partition> partitions) {
    }

    public record Partition(int partition, int leader, List<Integer> replicas) {
    }

    static ClusterMetadata from(io.sluice.proto.v1.GetMetadataResponse m) {
        return new ClusterMetadata(
                m.getBrokersList().stream().map(b -> new Broker(b.getId(), b.getHost(), b.getPort())).toList(),
                m.getTopicsList().stream().map(t -> new Topic(t.getName(), t.getPartitionsList().stream()
                        .map(p -> new Partition(p.getPartition(), p.getLeader(), List.copyOf(p.getReplicasList()))).toList()))
                        .toList(),
                m.getRespondingBroker());
    }
}
