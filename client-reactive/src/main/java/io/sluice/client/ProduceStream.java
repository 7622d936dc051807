package io.sluice.client;

import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ProducerCredit;
import io.sluice.proto.v1.ReactorProducerServiceGrpc.ReactorProducerServiceStub;
import io.sluice.proto.v1.ResponseKind;
import io.sluice.proto.v1.ThrottleReason;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

/**
 * The producer's one long-lived Produce stream, shared by all its sends: requests go out in call order and
 * each response is matched to its request by id. A stream that fails fails every request waiting on it; the
 * next request opens a new stream. Requests queue only up to the callers' in-flight limits.
 *
 * <p>Each stream asks for credit (use_credit): a batch goes out only within the records and bytes the broker
 * granted; otherwise it waits for more credit (in order), fails, or is dropped, per {@link CreditExhausted}.
 */
final class ProduceStream implements AutoCloseable {
    private final ReactorProducerServiceStub stub;
    private final CreditExhausted onExhausted;
    private final Consumer<DroppedBatch> onDrop;
    private final AtomicLong requestIds = new AtomicLong();
    private final AtomicLong creditWaitNanos = new AtomicLong();
    private Connection current;
    private boolean closed;

    ProduceStream(ReactorProducerServiceStub stub, CreditExhausted onExhausted, Consumer<DroppedBatch> onDrop) {
        this.stub = stub;
        this.onExhausted = onExhausted;
        this.onDrop = onDrop;
    }

    /** Total time batches spent waiting for credit. */
    Duration creditWaitTime() {
        return Duration.ofNanos(creditWaitNanos.get());
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

    /** Opens the stream now, so its initial credit is there by the time the first batch is ready. */
    void open() {
        connection();
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
        current.finish();
        return current.ended.asMono();
    }

    /** A batch waiting for credit. */
    private record Waiting(ProduceRequest request, MonoSink<ProduceResponse> reply, long since) {
    }

    /** One gRPC call. Its lock serializes emission, so a request never lands in a stream that has ended. */
    private final class Connection {
        private final Sinks.Many<ProduceRequest> requests = Sinks.many().unicast().onBackpressureBuffer();
        private final Map<Long, MonoSink<ProduceResponse>> waiting = new HashMap<>();
        private final Deque<Waiting> needCredit = new ArrayDeque<>();
        private final Sinks.Empty<Void> ended = Sinks.empty();
        private boolean failed;
        private boolean granted;
        private boolean finishing;
        private long creditRecords;
        private long creditBytes;
        private long unanswered;
        private ProducerCredit lastCredit = ProducerCredit.getDefaultInstance();

        Connection() {
            requests.tryEmitNext(ProduceRequest.newBuilder().setUseCredit(true).build());
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
            if (needCredit.isEmpty() && fits(request)) {
                emit(request, reply);
                return;
            }
            if (!granted || onExhausted == CreditExhausted.WAIT) {
                needCredit.add(new Waiting(request, reply, System.nanoTime()));
                return;
            }
            String why = "producer credit exhausted (" + creditRecords + " records, " + creditBytes + " bytes left"
                    + (lastCredit.getReason() == ThrottleReason.THROTTLE_REASON_NONE ? "" : "; broker throttles: "
                    + lastCredit.getReason() + ", " + lastCredit.getMessage()) + ")";
            if (onExhausted == CreditExhausted.ERROR) {
                if (reply != null) {
                    reply.error(Errors.of(ErrorCode.LIMIT_EXCEEDED, why, null));
                }
                return;
            }
            onDrop.accept(new DroppedBatch(request.getTopic(), request.getPartition(), records(request), why));
            if (reply != null) {
                reply.success();
            }
        }

        private static int records(ProduceRequest request) {
            return request.getRecordsCount() > 0 ? request.getRecordsCount() : request.getBatch().getRecordCount();
        }

        private static long bytes(ProduceRequest request) {
            return request.getRecordsCount() > 0
                    ? request.getRecordsList().stream().mapToLong(r -> r.getSerializedSize()).sum()
                    : request.getBatch().getRecords().size();
        }

        /** The broker's rule: within the credit left, or alone in flight with some credit left. */
        private boolean fits(ProduceRequest request) {
            long records = records(request);
            long bytes = bytes(request);
            boolean alone = unanswered == 0 && creditRecords > 0 && creditBytes > 0;
            return granted && (alone || (records <= creditRecords && bytes <= creditBytes));
        }

        /** Ends the request stream once every batch waiting for credit is sent. */
        synchronized void finish() {
            finishing = true;
            if (needCredit.isEmpty()) {
                requests.tryEmitComplete();
            }
        }

        private void emit(ProduceRequest request, MonoSink<ProduceResponse> reply) {
            creditRecords -= records(request);
            creditBytes -= bytes(request);
            if (reply != null) {
                waiting.put(request.getRequestId(), reply);
                reply.onCancel(() -> forget(request.getRequestId()));
                unanswered++;
            }
            requests.tryEmitNext(request);
        }

        private synchronized void forget(long id) {
            if (waiting.remove(id) != null) {
                unanswered--;
            }
            needCredit.removeIf(w -> w.request().getRequestId() == id);
        }

        private synchronized void onCredit(ProducerCredit credit) {
            granted = true;
            lastCredit = credit;
            creditRecords += credit.getRecords();
            creditBytes += credit.getBytes();
            drain();
        }

        /** Sends waiting batches, in order, while they fit. */
        private void drain() {
            long now = System.nanoTime();
            while (!needCredit.isEmpty() && fits(needCredit.peek().request())) {
                Waiting next = needCredit.poll();
                creditWaitNanos.addAndGet(now - next.since());
                emit(next.request(), next.reply());
            }
            if (finishing && needCredit.isEmpty()) {
                requests.tryEmitComplete();
            }
        }

        private void onResponse(ProduceResponse response) {
            if (response.getKind() == ResponseKind.RESPONSE_KIND_CREDIT) {
                onCredit(response.getCredit());
                return;
            }
            MonoSink<ProduceResponse> reply;
            synchronized (this) {
                reply = waiting.remove(response.getRequestId());
                if (reply != null) {
                    unanswered--;
                    drain();
                }
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
            List<MonoSink<ProduceResponse>> orphans = new ArrayList<>();
            synchronized (this) {
                failed = true;
                orphans.addAll(waiting.values());
                needCredit.forEach(w -> {
                    if (w.reply() != null) {
                        orphans.add(w.reply());
                    }
                });
                waiting.clear();
                needCredit.clear();
            }
            Throwable mapped = Errors.map(error);
            orphans.forEach(reply -> reply.error(mapped));
            requests.tryEmitComplete();
            ended.tryEmitEmpty();
        }
    }
}
