package io.sluice.server.api;

import io.sluice.proto.v1.AlterQueueRequest;
import io.sluice.proto.v1.AlterQueueResponse;
import io.sluice.proto.v1.DeleteQueueRequest;
import io.sluice.proto.v1.DeleteQueueResponse;
import io.sluice.proto.v1.DescribeQueueRequest;
import io.sluice.proto.v1.DescribeQueueResponse;
import io.sluice.proto.v1.ListQueuesRequest;
import io.sluice.proto.v1.ListQueuesResponse;
import io.sluice.proto.v1.PeekDeadLettersRequest;
import io.sluice.proto.v1.PeekDeadLettersResponse;
import io.sluice.proto.v1.ReactorQueueAdminServiceGrpc;
import io.sluice.proto.v1.RedriveDeadLettersRequest;
import io.sluice.proto.v1.RedriveDeadLettersResponse;
import io.sluice.server.error.SluiceException;
import io.sluice.server.queue.QueueService;
import java.util.concurrent.Callable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** gRPC face of queue administration. Storage work runs on the metadata scheduler, never on gRPC threads. */
public final class QueueAdminGrpcService extends ReactorQueueAdminServiceGrpc.QueueAdminServiceImplBase {
    private final QueueService queues;
    private final Scheduler scheduler;

    public QueueAdminGrpcService(QueueService queues, Scheduler scheduler) {
        this.queues = queues;
        this.scheduler = scheduler;
    }

    private <T> Mono<T> call(Callable<T> work) {
        return mapErrors(Mono.fromCallable(work).subscribeOn(scheduler));
    }

    private static <T> Mono<T> mapErrors(Mono<T> mono) {
        return mono.onErrorMap(e -> SluiceException.from(e).toStatus());
    }

    @Override
    public Mono<ListQueuesResponse> listQueues(ListQueuesRequest request) {
        return mapErrors(queues.list().map(all -> ListQueuesResponse.newBuilder().addAllQueues(all).build()));
    }

    @Override
    public Mono<DescribeQueueResponse> describeQueue(DescribeQueueRequest request) {
        return mapErrors(queues.describe(request.getName(), true)
                .map(queue -> DescribeQueueResponse.newBuilder().setQueue(queue).build()));
    }

    @Override
    public Mono<AlterQueueResponse> alterQueue(AlterQueueRequest request) {
        return call(() -> AlterQueueResponse.newBuilder()
                .putAllConfig(queues.alter(request.getName(), request.getSetMap(), request.getResetList()))
                .build());
    }

    @Override
    public Mono<DeleteQueueResponse> deleteQueue(DeleteQueueRequest request) {
        return call(() -> {
            queues.delete(request.getName());
            return DeleteQueueResponse.getDefaultInstance();
        });
    }

    @Override
    public Mono<PeekDeadLettersResponse> peekDeadLetters(PeekDeadLettersRequest request) {
        return call(() -> PeekDeadLettersResponse.newBuilder()
                .addAllDeadLetters(queues.peekDeadLetters(request.getTopic(), request.getMax(), request.getFromBeginning()))
                .build());
    }

    @Override
    public Mono<RedriveDeadLettersResponse> redriveDeadLetters(RedriveDeadLettersRequest request) {
        return call(() -> RedriveDeadLettersResponse.newBuilder()
                .setRedriven(queues.redriveDeadLetters(request.getTopic(), request.getToTopic(), request.getMax()))
                .build());
    }
}
