package io.sluice.server.api;

import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.AlterTopicConfigsRequest;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.DescribeTopicRequest;
import io.sluice.proto.v1.GetMetadataRequest;
import io.sluice.proto.v1.ListTopicsRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.TopicDescription;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** Topics, configs and offsets survive a clean restart, and offsets continue where they stopped. */
class RestartTest {
    @TempDir
    Path dir;

    @Test
    void everythingSurvivesARestart() {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            var admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
            admin.createTopic(CreateTopicRequest.newBuilder().setName("a").setPartitions(2)
                    .putConfigs("durability", "fsync").build());
            admin.createTopic(CreateTopicRequest.newBuilder().setName("b").setPartitions(1).build());
            admin.alterTopicConfigs(AlterTopicConfigsRequest.newBuilder().setName("b").putSet("retention.ms", "60000").build());
            var producer = ReactorProducerServiceGrpc.newReactorStub(fixture.channel());
            producer.produce(Flux.range(0, 10).map(i -> produce(i, "a", record(null, "v" + i), record(null, "w")).setPartition(1).build()))
                    .blockLast(Duration.ofSeconds(10));
            TopicDescription before = admin.describeTopic(DescribeTopicRequest.newBuilder().setName("a").build()).getTopic();
            assertThat(before.getPartitions(1).getEndOffset()).isEqualTo(20);
            assertThat(before.getPartitions(1).getSizeBytes()).isPositive();

            fixture.restart();

            admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
            assertThat(admin.listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList())
                    .extracting(t -> t.getName() + "/" + t.getPartitions()).containsExactly("a/2", "b/1");
            TopicDescription after = admin.describeTopic(DescribeTopicRequest.newBuilder().setName("a").build()).getTopic();
            assertThat(after.getPartitions(1).getEndOffset()).isEqualTo(20);
            assertThat(after.getConfigsMap()).containsEntry("durability", "fsync");
            assertThat(admin.describeTopic(DescribeTopicRequest.newBuilder().setName("b").build()).getTopic().getConfigsMap())
                    .containsEntry("retention.ms", "60000");
            assertThat(admin.getMetadata(GetMetadataRequest.getDefaultInstance()).getTopicsList()).hasSize(2);

            ProduceResponse next = ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                    .produce(Flux.just(produce(99, "a", record(null, "after")).setPartition(1).build()))
                    .blockLast(Duration.ofSeconds(10));
            assertThat(next.getBaseOffset()).isEqualTo(20);
        }
    }
}
