package io.sluice.server.api;

import com.salesforce.reactorgrpc.stub.ReactorCallOptions;
import io.grpc.CallOptions;
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

    /**
     * Pull at most maxInFlight requests from the network at a time (reactor-grpc asks gRPC for messages
     * only as this prefetch allows), so one stream holds a bounded number of batches in broker memory.
     */
    @Override
    protected CallOptions getCallOptions(int methodId) {
        return CallOptions.DEFAULT
                .withOption(ReactorCallOptions.CALL_OPTIONS_PREFETCH, maxInFlight)
                .withOption(ReactorCallOptions.CALL_OPTIONS_LOW_TIDE, Math.max(1, maxInFlight * 3 / 4));
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
