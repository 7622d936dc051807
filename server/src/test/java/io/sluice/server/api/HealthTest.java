package io.sluice.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.sluice.proto.v1.ListTopicsRequest;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

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

    @Test
    void healthGoesNotServingWhileDrainingAndNewStreamsAreRefused() throws Exception {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            BlockingQueue<HealthCheckResponse.ServingStatus> watched = new LinkedBlockingQueue<>();
            HealthGrpc.newStub(fixture.channel()).watch(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
                @Override
                public void onNext(HealthCheckResponse value) {
                    watched.add(value.getStatus());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            });
            assertThat(watched.poll(10, TimeUnit.SECONDS)).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

            fixture.broker().drain();

            assertThat(watched.poll(10, TimeUnit.SECONDS)).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
            // Still answering, but NOT_SERVING: a load balancer moves clients away before the broker stops.
            assertThat(HealthGrpc.newBlockingStub(fixture.channel()).check(HealthCheckRequest.getDefaultInstance())
                    .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
            assertThat(AdminServiceGrpc.newBlockingStub(fixture.channel()).listTopics(ListTopicsRequest.getDefaultInstance())
                    .getTopicsList()).isEmpty();
            assertThatThrownBy(() -> ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                    .produce(Flux.just(ProduceRequest.newBuilder().setTopic("t").build()))
                    .blockLast(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).contains("shutting down");
                    });
        }
    }
}
