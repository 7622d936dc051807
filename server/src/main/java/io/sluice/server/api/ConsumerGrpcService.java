package io.sluice.server.api;

import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.server.consume.ConsumeService;
import io.sluice.server.queue.QueueService;
import reactor.core.publisher.Flux;

/** gRPC face of the consume path: a stream whose Subscribe is in queue mode goes to the queues, any other to log mode. */
public final class ConsumerGrpcService extends ReactorConsumerServiceGrpc.ConsumerServiceImplBase {
    private final ConsumeService consumers;
    private final QueueService queues;

    public ConsumerGrpcService(ConsumeService consumers, QueueService queues) {
        this.consumers = consumers;
        this.queues = queues;
    }

    @Override
    public Flux<ConsumeResponse> consume(Flux<ConsumeRequest> requests) {
        // Read here, on the call's thread, where the gRPC context holds it.
        String clientId = ClientIds.current();
        return requests.switchOnFirst((first, all) -> first.hasValue() && QueueService.isQueueSubscribe(first.get())
                ? queues.consume(all)
                : consumers.consume(all, clientId));
    }
}
