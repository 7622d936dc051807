package io.sluice.client;

import io.sluice.proto.v1.AlterQueueRequest;
import io.sluice.proto.v1.DeleteQueueRequest;
import io.sluice.proto.v1.DescribeQueueRequest;
import io.sluice.proto.v1.ListQueuesRequest;
import io.sluice.proto.v1.PeekDeadLettersRequest;
import io.sluice.proto.v1.ReactorQueueAdminServiceGrpc.ReactorQueueAdminServiceStub;
import io.sluice.proto.v1.RedriveDeadLettersRequest;
import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Queue and dead-letter administration: one method per QueueAdminService call. Every call is lazy, retried while
 * the broker is unavailable, and fails with a typed {@link SluiceException}.
 */
public final class SluiceQueueAdmin {
    private final ReactorQueueAdminServiceStub stub;
    private final RetryPolicy retry;

    SluiceQueueAdmin(ReactorQueueAdminServiceStub stub, RetryPolicy retry) {
        this.stub = stub;
        this.retry = retry;
    }

    /** Every queue with its counts (no per-partition detail), sorted by name. */
    public Flux<QueueInfo> listQueues() {
        return call(() -> stub.listQueues(ListQueuesRequest.getDefaultInstance()))
                .flatMapIterable(r -> r.getQueuesList().stream().map(QueueInfo::from).toList());
    }

    /** One queue with its counts per partition; {@link QueueNotFoundException} if there is none. */
    public Mono<QueueInfo> describeQueue(String name) {
        return call(() -> stub.describeQueue(DescribeQueueRequest.newBuilder().setName(name).build()))
                .map(r -> QueueInfo.from(r.getQueue()));
    }

    /** Sets some queue settings and resets others to their defaults; returns every setting after the change. */
    public Mono<Map<String, String>> alterQueue(String name, Map<String, String> set, Collection<String> reset) {
        AlterQueueRequest request = AlterQueueRequest.newBuilder().setName(name).putAllSet(set).addAllReset(reset).build();
        return call(() -> stub.alterQueue(request)).map(r -> Map.copyOf(r.getConfigMap()));
    }

    /** Deletes a queue and its state (not its topics); {@link QueueInUseException} while workers are subscribed. */
    public Mono<Void> deleteQueue(String name) {
        return call(() -> stub.deleteQueue(DeleteQueueRequest.newBuilder().setName(name).build())).then();
    }

    /**
     * Up to {@code max} dead letters of a dead-letter topic, with their reasons: those not redriven yet, or
     * every one still in the topic with {@code fromBeginning}.
     */
    public Flux<DeadLetterInfo> peekDeadLetters(String deadLetterTopic, int max, boolean fromBeginning) {
        PeekDeadLettersRequest request = PeekDeadLettersRequest.newBuilder().setTopic(deadLetterTopic).setMax(max)
                .setFromBeginning(fromBeginning).build();
        return call(() -> stub.peekDeadLetters(request))
                .flatMapIterable(r -> r.getDeadLettersList().stream().map(DeadLetterInfo::from).toList());
    }

    /**
     * Moves up to {@code max} dead letters (0: all) back for another try, to their original topic and partition
     * ({@code toTopic} null) or to {@code toTopic}; each is moved once. Returns how many were moved.
     */
    public Mono<Long> redriveDeadLetters(String deadLetterTopic, String toTopic, long max) {
        RedriveDeadLettersRequest request = RedriveDeadLettersRequest.newBuilder().setTopic(deadLetterTopic)
                .setToTopic(toTopic == null ? "" : toTopic).setMax(max).build();
        return call(() -> stub.redriveDeadLetters(request)).map(r -> r.getRedriven());
    }

    private <T> Mono<T> call(Supplier<Mono<T>> rpc) {
        return Mono.defer(rpc).onErrorMap(Errors::map).retryWhen(retry.toRetry());
    }
}
