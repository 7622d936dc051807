package io.sluice.server.api;

import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.GetBrokerStatusRequest;
import io.sluice.proto.v1.GetBrokerStatusResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

class BrokerStatusTest {
    @TempDir
    Path dir;

    @Test
    void statusReportsVersionUptimeTopicsStreamsAndDiskUse() {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            var admin = AdminServiceGrpc.newBlockingStub(fixture.channel());
            admin.createTopic(CreateTopicRequest.newBuilder().setName("a").setPartitions(3).build());
            admin.createTopic(CreateTopicRequest.newBuilder().setName("b").setPartitions(1).build());
            Disposable consumer = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel())
                    .consume(Flux.<ConsumeRequest>just(subscribe("a", earliest())).concatWith(Flux.never()))
                    .subscribe();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> status(fixture).getOpenStreamsOrDefault("consumer", 0) == 1);
                GetBrokerStatusResponse status = status(fixture);
                assertThat(status.getVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
                assertThat(status.getUptimeMs()).isNotNegative().isLessThan(Duration.ofMinutes(5).toMillis());
                assertThat(status.getBroker().getPort()).isEqualTo(fixture.port());
                assertThat(status.getTopics()).isEqualTo(2);
                assertThat(status.getPartitions()).isEqualTo(4);
                assertThat(status.getOpenStreamsMap()).containsEntry("consumer", 1L).containsEntry("producer", 0L);
                assertThat(status.getDataDir()).isEqualTo(dir.toAbsolutePath().toString());
                // RocksDB's files (write-ahead log, manifest, options) are there from the start.
                assertThat(status.getDiskUsedBytes()).isPositive();
                assertThat(status.getDiskFreeBytes()).isPositive();
                assertThat(status.getDraining()).isFalse();
            } finally {
                consumer.dispose();
            }
            fixture.broker().drain();
            assertThat(status(fixture).getDraining()).isTrue();
        }
    }

    private static GetBrokerStatusResponse status(BrokerFixture fixture) {
        return AdminServiceGrpc.newBlockingStub(fixture.channel()).getBrokerStatus(GetBrokerStatusRequest.getDefaultInstance());
    }
}
