package io.sluice.server.queue;

import static io.sluice.server.queue.QueueTesting.TIMEOUT;
import static io.sluice.server.queue.QueueTesting.createTopic;
import static io.sluice.server.queue.QueueTesting.describe;
import static io.sluice.server.queue.QueueTesting.produce;
import static io.sluice.server.queue.QueueTesting.values;
import static io.sluice.server.testing.QueueWorker.ack;
import static io.sluice.server.testing.QueueWorker.reject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.sluice.proto.v1.DeadLetter;
import io.sluice.proto.v1.PeekDeadLettersRequest;
import io.sluice.proto.v1.QueueAdminServiceGrpc;
import io.sluice.proto.v1.QueueRecord;
import io.sluice.server.testing.BrokerProcess;
import io.sluice.server.testing.QueueWorker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker killed (SIGKILL) while workers ack and dead-letter: after the restart no settled record comes back,
 * no dead letter is lost, and none is in the dead-letter topic twice.
 */
class QueueCrashTest {
    private static final int PER_PARTITION = 1000;

    @TempDir
    Path dir;

    private static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    private static String id(int partition, long offset) {
        return partition + "@" + offset;
    }

    private static String id(QueueRecord record) {
        return id(record.getPartition(), record.getOffset());
    }

    @Test
    void aKilledBrokerNeitherLosesNorRepeatsASettlement() throws Exception {
        Set<String> ackSent = ConcurrentHashMap.newKeySet();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Set<String> rejected = ConcurrentHashMap.newKeySet();
        List<QueueWorker> workers = new ArrayList<>();
        try (BrokerProcess broker = BrokerProcess.start(dir)) {
            ManagedChannel channel = channel(broker.port());
            createTopic(channel, "jobs", 2);
            produce(channel, "jobs", 0, values(PER_PARTITION));
            produce(channel, "jobs", 1, values(PER_PARTITION));
            for (int w = 0; w < 3; w++) {
                workers.add(QueueWorker.start(channel, "q", "jobs", Map.of(), 20, (worker, record) -> {
                    boolean poison = record.getOffset() % 10 == 3;
                    if (!poison) {
                        ackSent.add(id(record));
                    }
                    worker.send(poison ? reject(record, "poison") : ack(record)).thenAccept(result -> {
                        if (result.getErrorsCount() == 0) {
                            (poison ? rejected : acked).add(id(record));
                        }
                        // Work stops short of the end, so that the kill surely comes mid-run.
                        if (acked.size() + rejected.size() < 1500) {
                            worker.credit(1);
                        }
                    });
                }));
            }
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(5)).until(() -> acked.size() + rejected.size() >= 600);
            broker.kill();
            workers.forEach(QueueWorker::close);
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        Set<String> ackedBefore = Set.copyOf(acked);
        Set<String> rejectedBefore = Set.copyOf(rejected);
        Set<String> ackSentBefore = Set.copyOf(ackSent);

        try (BrokerProcess broker = BrokerProcess.start(dir)) {
            ManagedChannel channel = channel(broker.port());
            Set<String> deliveredAfter = ConcurrentHashMap.newKeySet();
            workers.clear();
            for (int w = 0; w < 2; w++) {
                workers.add(QueueWorker.start(channel, "q", "jobs", Map.of(), 50, (worker, record) -> {
                    deliveredAfter.add(id(record));
                    worker.send(ack(record)).thenRun(() -> worker.credit(1));
                }));
            }
            await().atMost(TIMEOUT).until(() -> describe(channel, "q").getBacklog() == 0);
            List<DeadLetter> dead = QueueAdminServiceGrpc.newBlockingStub(channel).peekDeadLetters(PeekDeadLettersRequest
                    .newBuilder().setTopic("jobs.dlq").setMax(10_000).setFromBeginning(true).build()).getDeadLettersList();
            workers.forEach(QueueWorker::close);
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

            List<String> deadIds = dead.stream().map(d -> id(d.getOriginalPartition(), d.getOriginalOffset())).toList();
            assertThat(deadIds).as("no record dead-lettered twice").doesNotHaveDuplicates();
            assertThat(deadIds).as("no confirmed dead letter lost").containsAll(rejectedBefore);
            assertThat(deliveredAfter).as("no acked record comes back").doesNotContainAnyElementsOf(ackedBefore);
            assertThat(deliveredAfter).as("no dead-lettered record comes back").doesNotContainAnyElementsOf(deadIds);
            Set<String> neverSettled = new HashSet<>();
            for (int p = 0; p < 2; p++) {
                for (int offset = 0; offset < PER_PARTITION; offset++) {
                    String id = id(p, offset);
                    if (!ackSentBefore.contains(id) && !deadIds.contains(id)) {
                        neverSettled.add(id);
                    }
                }
            }
            assertThat(neverSettled).as("the kill came mid-run").isNotEmpty();
            assertThat(deliveredAfter).as("every record not settled comes back").containsAll(neverSettled);
        }
    }
}
