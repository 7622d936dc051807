package io.sluice.server.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.DescribeQueueRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.QueueAdminServiceGrpc;
import io.sluice.proto.v1.QueueDescription;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordOutcome;
import io.sluice.server.testing.Protos;
import io.sluice.server.testing.QueueWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/** Shared steps of the queue tests. */
final class QueueTesting {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private QueueTesting() {
    }

    static void createTopic(Channel channel, String topic, int partitions) {
        AdminServiceGrpc.newBlockingStub(channel)
                .createTopic(CreateTopicRequest.newBuilder().setName(topic).setPartitions(partitions).build());
    }

    /** Produces the records to the partition in batches of 500 and checks every batch was appended. */
    static void produce(Channel channel, String topic, int partition, List<Record> records) {
        List<ProduceRequest> requests = new ArrayList<>();
        for (int from = 0; from < records.size(); from += 500) {
            requests.add(Protos.produce(requests.size(), topic,
                            records.subList(from, Math.min(records.size(), from + 500)).toArray(Record[]::new))
                    .setPartition(partition).build());
        }
        List<ProduceResponse> acks = ReactorProducerServiceGrpc.newReactorStub(channel).produce(Flux.fromIterable(requests))
                .collectList().block(TIMEOUT);
        assertThat(acks).hasSize(requests.size()).allMatch(r -> r.getErrorCode() == ErrorCode.ERROR_CODE_NONE);
    }

    /** Values v0 .. v(n-1), keyless. */
    static List<Record> values(int n) {
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Protos.record(null, "v" + i));
        }
        return out;
    }

    static QueueDescription describe(Channel channel, String queue) {
        return QueueAdminServiceGrpc.newBlockingStub(channel)
                .describeQueue(DescribeQueueRequest.newBuilder().setName(queue).build()).getQueue();
    }

    /** Sends the outcome and waits until the broker stored it; fails if it was not applied. */
    static void settle(QueueWorker worker, RecordOutcome outcome) {
        var result = worker.send(outcome).orTimeout(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(result.getErrorsList()).isEmpty();
    }
}
