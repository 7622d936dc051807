package io.sluice.server.testing;

import com.google.protobuf.ByteString;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.StartPosition;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import java.nio.charset.StandardCharsets;

/** Small builders for protocol messages in tests. */
public final class Protos {
    private Protos() {
    }

    public static Record record(String key, String value) {
        Record.Builder record = Record.newBuilder().setValue(ByteString.copyFromUtf8(value));
        if (key != null) {
            record.setKey(ByteString.copyFromUtf8(key));
        }
        return record.build();
    }

    public static ProduceRequest.Builder produce(long requestId, String topic, Record... records) {
        ProduceRequest.Builder request = ProduceRequest.newBuilder().setRequestId(requestId).setTopic(topic);
        for (Record r : records) {
            request.addRecords(r);
        }
        return request;
    }

    public static ConsumeRequest subscribe(String topic, StartPosition start, int... partitions) {
        TopicSubscription.Builder sub = TopicSubscription.newBuilder().setTopic(topic);
        for (int p : partitions) {
            sub.addPartitions(p);
        }
        return ConsumeRequest.newBuilder()
                .setSubscribe(Subscribe.newBuilder().addTopics(sub).setStart(start))
                .build();
    }

    public static StartPosition earliest() {
        return StartPosition.newBuilder().setEarliest(true).build();
    }

    public static StartPosition latest() {
        return StartPosition.newBuilder().setLatest(true).build();
    }

    public static StartPosition offset(long offset) {
        return StartPosition.newBuilder().setOffset(offset).build();
    }

    public static ConsumeRequest credit(long records, long bytes) {
        return ConsumeRequest.newBuilder().setCredit(Credit.newBuilder().setRecords(records).setBytes(bytes)).build();
    }

    public static String utf8(ByteString bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
