package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class AdminTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    BrokerFixture fixture;
    SluiceClient client;
    SluiceAdmin admin;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir);
        client = SluiceClient.connect(fixture.bootstrap());
        admin = client.admin();
    }

    @AfterEach
    void stop() {
        client.close();
        fixture.close();
    }

    @Test
    void everyAdminCallWorksEndToEnd() {
        StepVerifier.create(admin.createTopic("payments", 3, Map.of("retention.ms", "60000")))
                .assertNext(topic -> {
                    assertThat(topic.name()).isEqualTo("payments");
                    assertThat(topic.partitions()).extracting(TopicInfo.PartitionInfo::partition).containsExactly(0, 1, 2);
                    assertThat(topic.configs()).containsEntry("retention.ms", "60000");
                })
                .verifyComplete();
        admin.createTopic("audit", 1).block(TIMEOUT);

        StepVerifier.create(admin.listTopics())
                .expectNext(new TopicListing("audit", 1), new TopicListing("payments", 3))
                .verifyComplete();

        client.producer(ProducerOptions.strings())
                .send(Flux.range(0, 7).map(i -> ProducerRecord.of("payments", (String) null, "p" + i).withPartition(1)))
                .blockLast(TIMEOUT);
        StepVerifier.create(admin.describeTopic("payments"))
                .assertNext(topic -> {
                    TopicInfo.PartitionInfo p1 = topic.partitions().get(1);
                    assertThat(p1.startOffset()).isZero();
                    assertThat(p1.endOffset()).isEqualTo(7);
                    assertThat(p1.sizeBytes()).isPositive();
                    assertThat(topic.partitions().get(0).endOffset()).isZero();
                    assertThat(topic.configs()).containsKeys("retention.bytes", "max.message.bytes", "durability");
                })
                .verifyComplete();

        StepVerifier.create(admin.alterTopicConfigs("payments", Map.of("durability", "fsync"), List.of("retention.ms")))
                .assertNext(configs -> assertThat(configs).containsEntry("durability", "fsync")
                        .containsEntry("retention.ms", String.valueOf(7L * 24 * 60 * 60 * 1000)))
                .verifyComplete();

        StepVerifier.create(admin.metadata("payments"))
                .assertNext(m -> {
                    assertThat(m.brokers()).hasSize(1);
                    assertThat(m.topics()).singleElement().satisfies(t -> {
                        assertThat(t.name()).isEqualTo("payments");
                        assertThat(t.partitions()).hasSize(3).allSatisfy(p -> assertThat(p.replicas()).containsExactly(p.leader()));
                    });
                })
                .verifyComplete();
        StepVerifier.create(admin.metadata()).assertNext(m -> assertThat(m.topics()).hasSize(2)).verifyComplete();

        StepVerifier.create(admin.deleteTopic("audit")).verifyComplete();
        StepVerifier.create(admin.listTopics().map(TopicListing::name)).expectNext("payments").verifyComplete();
    }

    @Test
    void callsAreLazy() {
        admin.createTopic("never", 1);
        StepVerifier.create(admin.listTopics()).verifyComplete();
    }
}
