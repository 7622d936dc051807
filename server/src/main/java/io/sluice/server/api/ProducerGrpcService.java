package io.sluice.server.api;

import com.salesforce.reactorgrpc.stub.ReactorCallOptions;
import io.grpc.CallOptions;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.server.produce.ProduceService;
import reactor.core.publisher.Flux;

/** gRPC face of the produce path: one response per batch, in request order, and credit for streams that ask. */
public final class ProducerGrpcService extends ReactorProducerServiceGrpc.ProducerServiceImplBase {
    private final ProduceService service;
    private final int maxInFlight;

    public ProducerGrpcService(ProduceService service, int maxInFlight) {
        this.service = service;
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
        return service.produce(requests, ClientIds.current());
    }
}
