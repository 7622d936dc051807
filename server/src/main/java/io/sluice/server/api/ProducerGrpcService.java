package io.sluice.server.api;

import io.sluice.proto.v1.Acks;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.server.produce.ProduceHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** gRPC face of the produce path: one response per batch, in request order. */
public final class ProducerGrpcService extends ReactorProducerServiceGrpc.ProducerServiceImplBase {
    private final ProduceHandler handler;
    private final int maxInFlight;

    public ProducerGrpcService(ProduceHandler handler, int maxInFlight) {
        this.handler = handler;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public Flux<ProduceResponse> produce(Flux<ProduceRequest> requests) {
        // flatMapSequential: up to maxInFlight appends at once, responses in request order (so in order
        // per partition), and no more requests pulled from the stream than that.
        return requests.flatMapSequential(this::handle, maxInFlight, 1);
    }

    private Mono<ProduceResponse> handle(ProduceRequest request) {
        Mono<ProduceResponse> response = handler.handle(request);
        return request.getAcks() == Acks.ACKS_NONE ? response.then(Mono.empty()) : response;
    }
}
