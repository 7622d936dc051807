package io.sluice.server.api;

import io.sluice.proto.v1.AlterTopicConfigsRequest;
import io.sluice.proto.v1.AlterTopicConfigsResponse;
import io.sluice.proto.v1.BrokerInfo;
import io.sluice.proto.v1.CommitOffsetsRequest;
import io.sluice.proto.v1.CommitOffsetsResponse;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.FetchCommittedOffsetsRequest;
import io.sluice.proto.v1.FetchCommittedOffsetsResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.CreateTopicResponse;
import io.sluice.proto.v1.DeleteGroupRequest;
import io.sluice.proto.v1.DeleteGroupResponse;
import io.sluice.proto.v1.DeleteTopicRequest;
import io.sluice.proto.v1.DeleteTopicResponse;
import io.sluice.proto.v1.DescribeGroupRequest;
import io.sluice.proto.v1.DescribeGroupResponse;
import io.sluice.proto.v1.DescribeTopicRequest;
import io.sluice.proto.v1.DescribeTopicResponse;
import io.sluice.proto.v1.GetMetadataRequest;
import io.sluice.proto.v1.InitProducerRequest;
import io.sluice.proto.v1.InitProducerResponse;
import io.sluice.proto.v1.GetMetadataResponse;
import io.sluice.proto.v1.ListGroupsRequest;
import io.sluice.proto.v1.ListGroupsResponse;
import io.sluice.proto.v1.ListTopicsRequest;
import io.sluice.proto.v1.ListTopicsResponse;
import io.sluice.proto.v1.PartitionDescription;
import io.sluice.proto.v1.PartitionMetadata;
import io.sluice.proto.v1.ReactorAdminServiceGrpc;
import io.sluice.proto.v1.ResetGroupOffsetsRequest;
import io.sluice.proto.v1.ResetGroupOffsetsResponse;
import io.sluice.proto.v1.TopicDescription;
import io.sluice.proto.v1.TopicMetadata;
import io.sluice.proto.v1.TopicSummary;
import io.sluice.server.config.TopicConfig;
import io.sluice.server.error.SluiceException;
import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.group.GroupNames;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.ProducerIds;
import io.sluice.server.log.Topic;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * gRPC face of topic and consumer-group administration. Storage work runs on the metadata scheduler, never on
 * gRPC threads.
 */
public final class AdminGrpcService extends ReactorAdminServiceGrpc.AdminServiceImplBase {
    private final LogManager logs;
    private final Scheduler scheduler;
    private final Supplier<BrokerInfo> self;
    private final AutoCreate autoCreate;
    private final ProducerIds producerIds;
    private final GroupCoordinator coordinator;
    private final GroupAdmin groups;

    /** Whether, and with how many partitions, unknown topics are created on first use. */
    public record AutoCreate(boolean enabled, int partitions) {
    }

    public AdminGrpcService(LogManager logs, Scheduler scheduler, Supplier<BrokerInfo> self, AutoCreate autoCreate,
                            ProducerIds producerIds, GroupCoordinator coordinator) {
        this.producerIds = producerIds;
        this.coordinator = coordinator;
        this.groups = new GroupAdmin(logs, coordinator, scheduler);
        this.logs = logs;
        this.scheduler = scheduler;
        this.self = self;
        this.autoCreate = autoCreate;
    }

    private <T> Mono<T> call(Callable<T> work) {
        return Mono.fromCallable(work)
                .subscribeOn(scheduler)
                .onErrorMap(AdminGrpcService::status);
    }

    private static Throwable status(Throwable e) {
        return e instanceof StatusRuntimeException ? e : SluiceException.from(e).toStatus();
    }

    @Override
    public Mono<CreateTopicResponse> createTopic(CreateTopicRequest request) {
        return call(() -> {
            TopicConfig config = TopicConfig.parse(request.getConfigsMap());
            Topic topic = logs.create(request.getName(), request.getPartitions(), config);
            return CreateTopicResponse.newBuilder().setTopic(describe(topic)).build();
        });
    }

    @Override
    public Mono<DeleteTopicResponse> deleteTopic(DeleteTopicRequest request) {
        return call(() -> {
            logs.delete(request.getName());
            return DeleteTopicResponse.getDefaultInstance();
        });
    }

    @Override
    public Mono<ListTopicsResponse> listTopics(ListTopicsRequest request) {
        return call(() -> {
            ListTopicsResponse.Builder response = ListTopicsResponse.newBuilder();
            logs.topics().forEach(t -> response.addTopics(
                    TopicSummary.newBuilder().setName(t.name()).setPartitions(t.partitionCount())));
            return response.build();
        });
    }

    @Override
    public Mono<DescribeTopicResponse> describeTopic(DescribeTopicRequest request) {
        return call(() -> DescribeTopicResponse.newBuilder().setTopic(describe(logs.topic(request.getName()))).build());
    }

    @Override
    public Mono<AlterTopicConfigsResponse> alterTopicConfigs(AlterTopicConfigsRequest request) {
        return call(() -> {
            TopicConfig config = logs.alterConfig(request.getName(), request.getSetMap(), request.getResetList());
            return AlterTopicConfigsResponse.newBuilder().putAllConfigs(config.effectiveAsStrings()).build();
        });
    }

    @Override
    public Mono<GetMetadataResponse> getMetadata(GetMetadataRequest request) {
        return call(() -> {
            List<Topic> topics = request.getTopicsCount() == 0 ? logs.topics()
                    : request.getTopicsList().stream().map(this::topicForMetadata).toList();
            BrokerInfo broker = self.get();
            GetMetadataResponse.Builder response = GetMetadataResponse.newBuilder()
                    .addBrokers(broker)
                    .setRespondingBroker(broker.getId());
            for (Topic topic : topics) {
                TopicMetadata.Builder meta = TopicMetadata.newBuilder().setName(topic.name());
                for (PartitionLog log : topic.partitions()) {
                    meta.addPartitions(PartitionMetadata.newBuilder()
                            .setPartition(log.id().partition())
                            .setLeader(broker.getId())
                            .addReplicas(broker.getId()));
                }
                response.addTopics(meta);
            }
            return response.build();
        });
    }

    @Override
    public Mono<InitProducerResponse> initProducer(InitProducerRequest request) {
        return call(() -> InitProducerResponse.newBuilder().setProducerId(producerIds.next()).build());
    }

    @Override
    public Mono<CommitOffsetsResponse> commitOffsets(CommitOffsetsRequest request) {
        return call(() -> {
            GroupNames.validate(request.getGroup());
            Topic topic = logs.topic(request.getTopic());
            request.getOffsetsMap().forEach((partition, offset) -> {
                PartitionLog log = topic.partition(partition);
                if (offset < 0) {
                    throw new SluiceException(ErrorCode.INVALID_OFFSET, "Offset " + offset + " for " + log.id()
                            + " is negative");
                }
                if (offset > log.highWatermark()) {
                    throw new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, "Offset " + offset + " for " + log.id()
                            + " is beyond its end offset " + log.highWatermark());
                }
            });
            return topic;
        }).flatMap(topic -> coordinator.commitAsAdmin(request.getGroup(), request.getMemberId(), request.getMemberEpoch(),
                        topic.name(), request.getOffsetsMap()))
                .onErrorMap(AdminGrpcService::status)
                .thenReturn(CommitOffsetsResponse.getDefaultInstance());
    }

    @Override
    public Mono<FetchCommittedOffsetsResponse> fetchCommittedOffsets(FetchCommittedOffsetsRequest request) {
        return call(() -> {
            GroupNames.validate(request.getGroup());
            Topic topic = logs.topic(request.getTopic());
            return FetchCommittedOffsetsResponse.newBuilder()
                    .putAllOffsets(logs.offsets().fetch(request.getGroup(), topic.name()))
                    .build();
        });
    }

    @Override
    public Mono<ListGroupsResponse> listGroups(ListGroupsRequest request) {
        return groups.list().onErrorMap(AdminGrpcService::status);
    }

    @Override
    public Mono<DescribeGroupResponse> describeGroup(DescribeGroupRequest request) {
        return groups.describe(request.getGroup()).onErrorMap(AdminGrpcService::status);
    }

    @Override
    public Mono<ResetGroupOffsetsResponse> resetGroupOffsets(ResetGroupOffsetsRequest request) {
        return groups.reset(request).onErrorMap(AdminGrpcService::status);
    }

    @Override
    public Mono<DeleteGroupResponse> deleteGroup(DeleteGroupRequest request) {
        return groups.delete(request.getGroup()).onErrorMap(AdminGrpcService::status);
    }

    /** Like Kafka, a metadata request creates a missing topic when the broker auto-creates topics. */
    private Topic topicForMetadata(String name) {
        return autoCreate.enabled() ? logs.getOrCreate(name, autoCreate.partitions()) : logs.topic(name);
    }

    private TopicDescription describe(Topic topic) {
        TopicDescription.Builder description = TopicDescription.newBuilder()
                .setName(topic.name())
                .putAllConfigs(topic.config().effectiveAsStrings());
        for (PartitionLog log : topic.partitions()) {
            description.addPartitions(PartitionDescription.newBuilder()
                    .setPartition(log.id().partition())
                    .setStartOffset(log.startOffset())
                    .setEndOffset(log.highWatermark())
                    .setSizeBytes(log.sizeBytes())
                    .setLeader(self.get().getId()));
        }
        return description.build();
    }
}
