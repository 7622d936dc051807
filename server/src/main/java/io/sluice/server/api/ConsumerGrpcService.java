package io.sluice.server.api;

import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.server.consume.ConsumeService;
import reactor.core.publisher.Flux;

/** gRPC face of the consume path. */
public final class ConsumerGrpcService extends ReactorConsumerServiceGrpc.ConsumerServiceImplBase {
    private final ConsumeService consumers;

    public ConsumerGrpcService(ConsumeService consumers) {
        this.consumers = consumers;
    }

    @Override
    public Flux<ConsumeResponse> consume(Flux<ConsumeRequest> requests) {
        return consumers.consume(requests, ClientIds.current());
    }
}
