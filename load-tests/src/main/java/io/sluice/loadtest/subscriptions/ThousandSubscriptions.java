package io.sluice.loadtest.subscriptions;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.ConsumerServiceGrpc;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.Credit;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProducerServiceGrpc;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.StartPosition;
import io.sluice.proto.v1.Subscribe;
import io.sluice.proto.v1.TopicSubscription;
import io.sluice.server.SluiceBroker;
import io.sluice.server.config.BrokerConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * 1 000 consume subscriptions on one in-process broker, each granting one record at a time, while a
 * topic fills with far more data than they take: the broker's heap must stay bounded, because it reads
 * ahead only as far as each subscription's credit. Prints the heap used after GC before and after.
 *
 * <pre>java -cp "load-tests/target/classes:load-tests/target/lib/*" io.sluice.loadtest.subscriptions.ThousandSubscriptions \
 *     [subscriptions=1000] [records=200000]</pre>
 */
public final class ThousandSubscriptions {
    private ThousandSubscriptions() {
    }

    public static void main(String[] args) throws Exception {
        int subscriptions = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        Path dir = Files.createTempDirectory("sluice-subs");
        try (SluiceBroker broker = SluiceBroker.start(BrokerConfig.of(Map.of(
                BrokerConfig.HOST, "127.0.0.1", BrokerConfig.PORT, "0", BrokerConfig.METRICS_PORT, "0",
                BrokerConfig.DATA_DIR, dir.toString())))) {
            List<ManagedChannel> channels = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", broker.port()).usePlaintext().build());
            }
            AdminServiceGrpc.newBlockingStub(channels.get(0))
                    .createTopic(CreateTopicRequest.newBuilder().setName("wide").setPartitions(8).build());
            produce(channels.get(0), records);
            long before = heapAfterGc();

            AtomicLong delivered = new AtomicLong();
            List<StreamObserver<ConsumeRequest>> streams = new ArrayList<>();
            CountDownLatch firstRecords = new CountDownLatch(subscriptions);
            for (int i = 0; i < subscriptions; i++) {
                StreamObserver<ConsumeRequest> requests = ConsumerServiceGrpc.newStub(channels.get(i % channels.size()))
                        .consume(new StreamObserver<>() {
                            @Override
                            public void onNext(ConsumeResponse response) {
                                if (response.hasBatch()) {
                                    delivered.addAndGet(response.getBatch().getBatch().getRecordCount());
                                    firstRecords.countDown();
                                }
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                            }
                        });
                requests.onNext(ConsumeRequest.newBuilder().setSubscribe(Subscribe.newBuilder()
                        .addTopics(TopicSubscription.newBuilder().setTopic("wide"))
                        .setStart(StartPosition.newBuilder().setEarliest(true))
                        .setInitialCredit(Credit.newBuilder().setRecords(1).setBytes(1 << 20))).build());
                streams.add(requests);
            }
            boolean allGotOne = firstRecords.await(120, TimeUnit.SECONDS);
            long during = heapAfterGc();
            System.out.printf("subscriptions=%d records in topic=%d delivered=%d (every subscription got its one record: %s)%n",
                    subscriptions, records, delivered.get(), allGotOne);
            System.out.printf("heap used after GC: %.1f MiB before subscribing, %.1f MiB with %d subscriptions open"
                    + " (%.1f KiB per subscription); broker consume sessions: %d%n",
                    before / 1048576.0, during / 1048576.0, subscriptions, (during - before) / 1024.0 / subscriptions,
                    subscriptions);
            streams.forEach(StreamObserver::onCompleted);
            channels.forEach(ManagedChannel::shutdownNow);
        } finally {
            deleteTree(dir);
        }
    }

    private static void produce(ManagedChannel channel, int records) throws InterruptedException {
        CountDownLatch acked = new CountDownLatch(records / 500);
        StreamObserver<ProduceRequest> out = ProducerServiceGrpc.newStub(channel).produce(new StreamObserver<>() {
            @Override
            public void onNext(io.sluice.proto.v1.ProduceResponse value) {
                acked.countDown();
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        Record record = Record.newBuilder().setValue(com.google.protobuf.ByteString.copyFrom(new byte[100])).setTimestampMs(1).build();
        for (int b = 0; b < records / 500; b++) {
            ProduceRequest.Builder request = ProduceRequest.newBuilder().setRequestId(b).setTopic("wide").setPartition(b % 8);
            for (int i = 0; i < 500; i++) {
                request.addRecords(record);
            }
            out.onNext(request.build());
            if (b % 64 == 63) {
                // Stay within the broker's per-stream window: wait for the earlier batches.
                acked.await(0, TimeUnit.MILLISECONDS);
                while (acked.getCount() > records / 500 - b - 1 + 32) {
                    Thread.onSpinWait();
                }
            }
        }
        acked.await(60, TimeUnit.SECONDS);
        out.onCompleted();
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
