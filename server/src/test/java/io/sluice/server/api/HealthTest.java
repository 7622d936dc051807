package io.sluice.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthTest {
    @TempDir
    Path dir;

    @Test
    void healthIsServingAndReflectionListsTheSluiceServices() throws Exception {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            HealthCheckResponse health = HealthGrpc.newBlockingStub(fixture.channel())
                    .check(HealthCheckRequest.getDefaultInstance());
            assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

            CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
            StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(fixture.channel())
                    .serverReflectionInfo(new StreamObserver<>() {
                        @Override
                        public void onNext(ServerReflectionResponse value) {
                            answer.complete(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            answer.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            var services = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList();
            requests.onCompleted();
            assertThat(services).extracting(s -> s.getName())
                    .contains("sluice.v1.ProducerService", "sluice.v1.ConsumerService", "sluice.v1.AdminService",
                            "grpc.health.v1.Health");
        }
    }
}
