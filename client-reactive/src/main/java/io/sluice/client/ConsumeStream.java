package io.sluice.client;

import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc.ReactorConsumerServiceStub;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The consume stream of one session (log or queue mode) and the scheduler worker the session's state lives on.
 * It opens the stream (again after a retriable failure, with the {@link RetryPolicy}'s backoff) and hands the
 * session, as tasks on the worker, each response and the failure or end of the current stream; those of an
 * older stream (before a reconnect) or after {@link #close()} are dropped. Not thread-safe apart from
 * {@link #run}: only the worker calls it.
 */
final class ConsumeStream {
    private final ReactorConsumerServiceStub stub;
    private final RetryPolicy retry;
    private final Scheduler.Worker worker;
    private final Consumer<ConsumeResponse> onResponse;
    private final Consumer<Throwable> onFailure;
    private Sinks.Many<ConsumeRequest> requests;
    private Disposable call;
    private int generation;
    private boolean subscribed;
    private boolean closed;
    private long failingSince;
    private int failuresInARow;

    /**
     * @param onResponse gets each response of the current stream
     * @param onFailure  gets the error (or the end) of the current stream, which is then no longer subscribed
     */
    ConsumeStream(ReactorConsumerServiceStub stub, RetryPolicy retry, Scheduler.Worker worker,
                  Consumer<ConsumeResponse> onResponse, Consumer<Throwable> onFailure) {
        this.stub = stub;
        this.retry = retry;
        this.worker = worker;
        this.onResponse = onResponse;
        this.onFailure = onFailure;
    }

    /** Runs the task on the worker; false once the worker is disposed (the session has ended). From any thread. */
    boolean run(Runnable task) {
        try {
            worker.schedule(task);
            return true;
        } catch (RejectedExecutionException e) {
            // Stopped: nothing left to do.
            return false;
        }
    }

    /** Runs the task on the worker after the delay. */
    void schedule(Runnable task, Duration delay) {
        worker.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs the task on the worker every period, unless the session has ended. */
    void schedulePeriodically(Runnable task, Duration period) {
        long every = period.toNanos();
        try {
            worker.schedulePeriodically(task, every, every, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Stopped already.
        }
    }

    /** Opens a new stream that starts with this subscribe request; what the previous one still sends is dropped. */
    void open(ConsumeRequest subscribe) {
        int current = ++generation;
        subscribed = false;
        requests = Sinks.many().unicast().onBackpressureBuffer();
        requests.tryEmitNext(subscribe);
        call = stub.consume(requests.asFlux()).subscribe(
                response -> run(() -> {
                    if (current == generation && !closed) {
                        onResponse.accept(response);
                    }
                }),
                error -> run(() -> failed(current, error)),
                () -> run(() -> failed(current, Errors.of(ErrorCode.BROKER_UNAVAILABLE, "the broker ended the stream", null))));
    }

    private void failed(int from, Throwable error) {
        if (from == generation && !closed) {
            subscribed = false;
            onFailure.accept(error);
        }
    }

    /** The broker confirmed the subscription: the stream works, so failures count afresh. */
    void subscribed() {
        subscribed = true;
        failuresInARow = 0;
    }

    /** Whether the current stream is open and the broker confirmed its subscription. */
    boolean isSubscribed() {
        return subscribed;
    }

    /** Whether {@link #close()} ran. */
    boolean isClosed() {
        return closed;
    }

    void send(ConsumeRequest request) {
        requests.tryEmitNext(request);
    }

    /** Sends the grant, if any. */
    void grant(Credit credit) {
        if (credit != null) {
            send(ConsumeRequest.newBuilder().setCredit(credit).build());
        }
    }

    /** Ends the requests (a half-close): the broker then ends the stream. */
    void completeRequests() {
        requests.tryEmitComplete();
    }

    /**
     * Counts a failure of the stream (already mapped by {@link Errors#map}). When it is retriable and the failures
     * in a row are within the retry deadline, schedules {@code reconnect} after the backoff and returns true;
     * otherwise the session must fail with it.
     */
    boolean retryLater(Throwable mapped, Runnable reconnect) {
        long now = System.nanoTime();
        if (failuresInARow++ == 0) {
            failingSince = now;
        }
        if (!Errors.retriable(mapped) || !retry.withinDeadline(now - failingSince)) {
            return false;
        }
        schedule(reconnect, retry.backoff(failuresInARow - 1));
        return true;
    }

    /** Closes the stream for good; false when it was closed already. The worker still takes tasks until {@link #dispose()}. */
    boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        if (requests != null) {
            requests.tryEmitComplete();
        }
        if (call != null) {
            call.dispose();
            call = null;
        }
        return true;
    }

    /** Disposes the worker: the session has released everything. */
    void dispose() {
        worker.dispose();
    }
}
