package io.sluice.server.testing;

import io.grpc.Channel;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.DescribeTopicRequest;
import io.sluice.proto.v1.ReactorAdminServiceGrpc;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.RecordFormat;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;

/** Everything a topic holds, read back over the Consume stream. */
public final class LogContents {
    private LogContents() {
    }

    /** (partition, offset) -> value of every record of the topic. */
    public static Map<List<Long>, String> read(Channel channel, String topic, Duration timeout) {
        long total = ReactorAdminServiceGrpc.newReactorStub(channel)
                .describeTopic(DescribeTopicRequest.newBuilder().setName(topic).build()).block(timeout)
                .getTopic().getPartitionsList().stream()
                .mapToLong(p -> p.getEndOffset() - p.getStartOffset()).sum();
        Map<List<Long>, String> out = new HashMap<>();
        if (total == 0) {
            return out;
        }
        ConsumeRequest subscribe = ConsumeRequest.newBuilder().setSubscribe(Subscribe.newBuilder()
                .addTopics(TopicSubscription.newBuilder().setTopic(topic))
                .setStart(Protos.earliest())
                .setFormat(RecordFormat.RECORD_FORMAT_PLAIN)
                .setInitialCredit(Credit.newBuilder().setRecords(total).setBytes(Long.MAX_VALUE / 2)))
                .build();
        long[] seen = {0};
        ReactorConsumerServiceGrpc.newReactorStub(channel)
                .consume(Flux.just(subscribe).concatWith(Flux.never()))
                .filter(ConsumeResponse::hasBatch)
                .map(ConsumeResponse::getBatch)
                .doOnNext(batch -> {
                    for (int i = 0; i < batch.getRecordsCount(); i++) {
                        out.put(List.of((long) batch.getPartition(), batch.getBatch().getBaseOffset() + i),
                                batch.getRecords(i).getValue().toStringUtf8());
                    }
                    seen[0] += batch.getRecordsCount();
                })
                .takeUntil(batch -> seen[0] >= total)
                .then()
                .block(timeout);
        return out;
    }
}
