package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorProducerServiceGrpc.ReactorProducerServiceStub;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

/**
 * The producer's one long-lived Produce stream, shared by all its sends: requests go out in call order and
 * each response is matched to its request by id. A stream that fails fails every request waiting on it; the
 * next request opens a new stream. Requests queue only up to the callers' in-flight limits.
 */
final class ProduceStream implements AutoCloseable {
    private final ReactorProducerServiceStub stub;
    private final AtomicLong requestIds = new AtomicLong();
    private Connection current;
    private boolean closed;

    ProduceStream(ReactorProducerServiceStub stub) {
        this.stub = stub;
    }

    /** Sends the request; the Mono is its response (never an error response: those become exceptions). */
    Mono<ProduceResponse> send(ProduceRequest.Builder request, boolean expectResponse) {
        return Mono.create(sink -> {
            long id = requestIds.incrementAndGet();
            connection().send(request.setRequestId(id).build(), expectResponse ? sink : null);
            if (!expectResponse) {
                sink.success(ProduceResponse.newBuilder().setRequestId(id).setTopic(request.getTopic())
                        .setPartition(request.getPartition()).setBaseOffset(-1).build());
            }
        });
    }

    private synchronized Connection connection() {
        if (closed) {
            throw new IllegalStateException("the producer is closed");
        }
        if (current == null || current.failed) {
            current = new Connection();
        }
        return current;
    }

    @Override
    public void close() {
        closeGracefully();
    }

    /**
     * Ends the request stream and completes once the broker has answered everything sent (so records sent
     * with acks=none have reached it too).
     */
    synchronized Mono<Void> closeGracefully() {
        closed = true;
        if (current == null) {
            return Mono.empty();
        }
        current.requests.tryEmitComplete();
        return current.ended.asMono();
    }

    /** One gRPC call. Its lock serializes emission, so a request never lands in a stream that has ended. */
    private final class Connection {
        private final Sinks.Many<ProduceRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        private final Map<Long, MonoSink<ProduceResponse>> waiting = new HashMap<>();
        private final Sinks.Empty<Void> ended = Sinks.empty();
        private boolean failed;

        Connection() {
            stub.produce(requests.asFlux()).subscribe(this::onResponse, this::end,
                    () -> end(Errors.of(ErrorCode.BROKER_UNAVAILABLE, "the broker ended the produce stream", null)));
        }

        synchronized void send(ProduceRequest request, MonoSink<ProduceResponse> reply) {
            if (failed) {
                // Lost the race with the stream's end: fail like the stream did, and the caller's retry reconnects.
                Throwable e = Errors.of(ErrorCode.BROKER_UNAVAILABLE, "the produce stream ended", null);
                if (reply != null) {
                    reply.error(e);
                }
                return;
            }
            if (reply != null) {
                waiting.put(request.getRequestId(), reply);
                reply.onCancel(() -> forget(request.getRequestId()));
            }
            requests.tryEmitNext(request);
        }

        private synchronized void forget(long id) {
            waiting.remove(id);
        }

        private void onResponse(ProduceResponse response) {
            MonoSink<ProduceResponse> reply;
            synchronized (this) {
                reply = waiting.remove(response.getRequestId());
            }
            if (reply == null) {
                return;
            }
            if (response.getErrorCode() == ErrorCode.ERROR_CODE_NONE) {
                reply.success(response);
            } else {
                reply.error(Errors.of(response.getErrorCode(), response.getErrorMessage(), null));
            }
        }

        private void end(Throwable error) {
            Map<Long, MonoSink<ProduceResponse>> orphans;
            synchronized (this) {
                failed = true;
                orphans = new HashMap<>(waiting);
                waiting.clear();
            }
            Throwable mapped = Errors.map(error);
            orphans.values().forEach(reply -> reply.error(mapped));
            requests.tryEmitComplete();
            ended.tryEmitEmpty();
        }
    }
}
