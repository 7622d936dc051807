package io.sluice.client;

import io.sluice.proto.v1.AlterTopicConfigsRequest;
import io.sluice.proto.v1.CommitOffsetsRequest;
import io.sluice.proto.v1.FetchCommittedOffsetsRequest;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.DeleteTopicRequest;
import io.sluice.proto.v1.DescribeTopicRequest;
import io.sluice.proto.v1.GetMetadataRequest;
import io.sluice.proto.v1.InitProducerRequest;
import io.sluice.proto.v1.ListTopicsRequest;
import io.sluice.proto.v1.ReactorAdminServiceGrpc.ReactorAdminServiceStub;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Topic administration: one method per AdminService call. Every call is lazy (nothing happens until
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

    /** The broker's version, uptime, topics, open streams and disk use. */
    public Mono<BrokerStatus> brokerStatus() {
        return call(() -> stub.getBrokerStatus(io.sluice.proto.v1.GetBrokerStatusRequest.getDefaultInstance()))
                .map(BrokerStatus::from);
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
