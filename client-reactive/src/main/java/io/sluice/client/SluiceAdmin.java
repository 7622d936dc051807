package io.sluice.client;

import io.sluice.proto.v1.AlterTopicConfigsRequest;
import io.sluice.proto.v1.CommitOffsetsRequest;
import io.sluice.proto.v1.FetchCommittedOffsetsRequest;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.DeleteGroupRequest;
import io.sluice.proto.v1.DeleteTopicRequest;
import io.sluice.proto.v1.DescribeGroupRequest;
import io.sluice.proto.v1.DescribeTopicRequest;
import io.sluice.proto.v1.GetMetadataRequest;
import io.sluice.proto.v1.InitProducerRequest;
import io.sluice.proto.v1.ListGroupsRequest;
import io.sluice.proto.v1.ListTopicsRequest;
import io.sluice.proto.v1.ReactorAdminServiceGrpc.ReactorAdminServiceStub;
import io.sluice.proto.v1.ResetGroupOffsetsRequest;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Topic and consumer-group administration: one method per AdminService call. Every call is lazy (nothing happens until
 * subscription), retried while the broker is unavailable, and fails with a typed {@link SluiceException}.
 */
public final class SluiceAdmin {
    private final ReactorAdminServiceStub stub;
    private final RetryPolicy retry;

    SluiceAdmin(ReactorAdminServiceStub stub, RetryPolicy retry) {
        this.stub = stub;
        this.retry = retry;
    }

    public Mono<TopicInfo> createTopic(String name, int partitions) {
        return createTopic(name, partitions, Map.of());
    }

    public Mono<TopicInfo> createTopic(String name, int partitions, Map<String, String> configs) {
        CreateTopicRequest request = CreateTopicRequest.newBuilder().setName(name).setPartitions(partitions)
                .putAllConfigs(configs).build();
        return call(() -> stub.createTopic(request)).map(r -> TopicInfo.from(r.getTopic()));
    }

    public Mono<Void> deleteTopic(String name) {
        return call(() -> stub.deleteTopic(DeleteTopicRequest.newBuilder().setName(name).build())).then();
    }

    /** All topics, sorted by name. */
    public Flux<TopicListing> listTopics() {
        return call(() -> stub.listTopics(ListTopicsRequest.getDefaultInstance()))
                .flatMapIterable(r -> r.getTopicsList().stream().map(t -> new TopicListing(t.getName(), t.getPartitions())).toList());
    }

    public Mono<TopicInfo> describeTopic(String name) {
        return call(() -> stub.describeTopic(DescribeTopicRequest.newBuilder().setName(name).build()))
                .map(r -> TopicInfo.from(r.getTopic()));
    }

    /** Stores a consumer group's committed offsets (partition -> next offset to read) for one topic. */
    public Mono<Void> commitOffsets(String group, String topic, Map<Integer, Long> offsets) {
        CommitOffsetsRequest request = CommitOffsetsRequest.newBuilder().setGroup(group).setTopic(topic)
                .putAllOffsets(offsets).build();
        return call(() -> stub.commitOffsets(request)).then();
    }

    /** A consumer group's committed offsets for one topic, by partition. */
    public Mono<Map<Integer, Long>> fetchCommittedOffsets(String group, String topic) {
        FetchCommittedOffsetsRequest request = FetchCommittedOffsetsRequest.newBuilder().setGroup(group).setTopic(topic).build();
        return call(() -> stub.fetchCommittedOffsets(request)).map(r -> Map.copyOf(r.getOffsetsMap()));
    }

    /** Every consumer group the broker knows (with active members, or with committed offsets), sorted by name. */
    public Flux<GroupListing> listGroups() {
        return call(() -> stub.listGroups(ListGroupsRequest.getDefaultInstance()))
                .flatMapIterable(r -> r.getGroupsList().stream().map(GroupListing::from).toList());
    }

    /**
     * A group's members and, for every partition of the topics it reads or committed, its committed offset,
     * end offset, lag and owner. Fails with code UNKNOWN_GROUP for a group with no member and no committed offset.
     */
    public Mono<GroupDescription> describeGroup(String group) {
        return call(() -> stub.describeGroup(DescribeGroupRequest.newBuilder().setGroup(group).build()))
                .map(r -> GroupDescription.from(r.getGroup()));
    }

    /**
     * Moves the group's committed offsets for the topic's given partitions (none: every partition) to the
     * earliest or latest offset, an offset (clamped to each log's range) or the first record at or after a
     * time; returns partition -> new offset, sorted by partition. Only while the group has no active member: otherwise it fails
     * with code GROUP_NOT_EMPTY.
     */
    public Mono<Map<Integer, Long>> resetGroupOffsets(String group, String topic, Collection<Integer> partitions,
                                                       StartPosition to) {
        ResetGroupOffsetsRequest request = ResetGroupOffsetsRequest.newBuilder().setGroup(group).setTopic(topic)
                .addAllPartitions(partitions).setTo(to.toProto()).build();
        return call(() -> stub.resetGroupOffsets(request)).map(r -> Collections.unmodifiableMap(new TreeMap<>(r.getOffsetsMap())));
    }

    /**
     * Deletes the group's committed offsets, so it no longer holds back the backlog. Only while it has no
     * active member (code GROUP_NOT_EMPTY); code UNKNOWN_GROUP if the broker does not know the group.
     */
    public Mono<Void> deleteGroup(String group) {
        return call(() -> stub.deleteGroup(DeleteGroupRequest.newBuilder().setGroup(group).build())).then();
    }

    /** Sets some configs and resets others to their defaults; returns every effective config after the change. */
    public Mono<Map<String, String>> alterTopicConfigs(String name, Map<String, String> set, Collection<String> reset) {
        AlterTopicConfigsRequest request = AlterTopicConfigsRequest.newBuilder().setName(name).putAllSet(set)
                .addAllReset(reset).build();
        return call(() -> stub.alterTopicConfigs(request)).map(r -> Map.copyOf(r.getConfigsMap()));
    }

    /** Metadata for the given topics, or for all topics when none is given. */
    public Mono<ClusterMetadata> metadata(String... topics) {
        GetMetadataRequest request = GetMetadataRequest.newBuilder().addAllTopics(List.of(topics)).build();
        return call(() -> stub.getMetadata(request)).map(ClusterMetadata::from);
    }

    /** A new idempotent producer id from the broker, for ProduceRequest.producer_id. */
    public Mono<Long> initProducer() {
        return call(() -> stub.initProducer(InitProducerRequest.getDefaultInstance())).map(r -> r.getProducerId());
    }

    private <T> Mono<T> call(Supplier<Mono<T>> rpc) {
        return Mono.defer(rpc).onErrorMap(Errors::map).retryWhen(retry.toRetry());
    }
}
