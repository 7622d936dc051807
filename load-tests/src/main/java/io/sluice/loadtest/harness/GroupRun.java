package io.sluice.loadtest.harness;

import io.grpc.ManagedChannel;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.CommitResult;
import io.sluice.proto.v1.DescribeTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.PartitionDescription;
import io.sluice.proto.v1.TopicDescription;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The consumer group scenario: fill a topic (not measured) with the harness producer, then start every
 * member of one group at once, each a raw {@link GroupMember} on its own channel (a consumer is its own
 * connection, as Kafka's are), and measure the group forming, the records read and, once all are read,
 * one member leaving. Kafka's bench.sh warms its broker with records produced and consumed by a group of
 * one; so does this, on a throwaway topic. Bounded: the fill and the group run by {@code bound} each, a
 * run with no progress for {@code stall} ends early, and the stable wait and leave by 30 s each.
 */
final class GroupRun {
    private static final Duration STEP_BOUND = Duration.ofSeconds(30);

    /**
     * @param sessionTimeoutMs 0: the broker's group.session.timeout.ms
     * @param creditRecords    records and bytes of credit each member keeps outstanding
     */
    record Settings(long records, int recordSize, int partitions, int members, long warmupRecords,
                    Duration bound, Duration stall, int sessionTimeoutMs, long creditRecords, long creditBytes) {
        Settings {
            if (records < 1 || recordSize < 0 || partitions < 1 || members < 1 || creditRecords < 1 || creditBytes < 1) {
                throw new IllegalArgumentException("records, partitions, members and credit must be positive");
            }
        }
    }

    private final BrokerTarget target;
    private final ScenarioRunner runner;
    private final PrintStream progress; // null: quiet

    GroupRun(BrokerTarget target, PrintStream progress) {
        this.target = target;
        this.runner = new ScenarioRunner(target, progress);
        this.progress = progress;
    }

    GroupResult run(Settings s) throws InterruptedException {
        if (s.warmupRecords() > 0) {
            Summary warm = runner.run(Scenario.endToEnd("group-warmup").recordSize(s.recordSize())
                    .maxRecords(s.warmupRecords()).inject(Injection.closed(1, s.bound())).build());
            log("warm-up: a group of one reads " + warm.topic() + " (not measured)");
            consumeInGroup(warm.topic(), 1, "warmup", s, false);
        }
        Summary fill = runner.run(Scenario.produce("group-fill").partitions(s.partitions()).recordSize(s.recordSize())
                .maxRecords(s.records()).inject(Injection.closed(1, s.bound())).build());
        if (fill.recordsAcked() != s.records()) {
            throw new IllegalStateException("the fill got " + fill.recordsAcked() + " of " + s.records()
                    + " records acknowledged; errors " + fill.errors());
        }
        log(s.members() + " members join one group on " + fill.topic() + " and read its " + s.records() + " records");
        return consumeInGroup(fill.topic(), s.members(), "run", s, true);
    }

    private GroupResult consumeInGroup(String topic, int members, String kind, Settings s, boolean leave)
            throws InterruptedException {
        TopicDescription description = AdminServiceGrpc.newBlockingStub(target.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .describeTopic(DescribeTopicRequest.newBuilder().setName(topic).build()).getTopic();
        List<PartitionDescription> parts = description.getPartitionsList();
        long[] starts = new long[parts.size()];
        long total = 0;
        for (PartitionDescription p : parts) {
            starts[p.getPartition()] = p.getStartOffset();
            total += p.getEndOffset() - p.getStartOffset();
        }
        GroupProgress group = new GroupProgress(parts.size(), members, total, starts);
        String groupName = "bench-" + kind + "-" + System.currentTimeMillis();
        List<ManagedChannel> channels = new ArrayList<>();
        List<GroupMember> list = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            channels.add(target.newChannel());
            list.add(new GroupMember(i, group, s.creditRecords(), s.creditBytes()));
        }
        String loadAverage = ScenarioRunner.loadAverage();
        ProcStats.Sample broker0 = ProcStats.read(target.pid());
        double client0 = ScenarioRunner.clientCpuSeconds();
        long t0 = System.nanoTime();
        ScheduledExecutorService ticker = progressLines(group, total, t0);
        double brokerCpu;
        double clientCpu;
        double leaveMs = -1;
        try {
            for (int i = 0; i < members; i++) {
                list.get(i).join(channels.get(i), topic, groupName, s.sessionTimeoutMs());
            }
            awaitDone(group, t0 + s.bound().toNanos(), s.stall().toNanos());
            ProcStats.Sample broker1 = ProcStats.read(target.pid());
            brokerCpu = broker0.cpuSeconds() >= 0 && broker1.cpuSeconds() >= 0 ? broker1.cpuSeconds() - broker0.cpuSeconds() : -1;
            clientCpu = ScenarioRunner.clientCpuSeconds() - client0;
            if (!group.awaitStable(STEP_BOUND.toNanos())) {
                group.error("GROUP_NOT_STABLE");
            } else if (leave && members > 1) {
                leaveMs = leaveOne(list, group);
            }
        } finally {
            ticker.shutdownNow();
            list.forEach(GroupMember::stop);
            channels.forEach(ManagedChannel::shutdownNow);
            for (ManagedChannel c : channels) {
                c.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        long done = group.doneNanos();
        long end = done != 0 ? done : group.lastConsumeNanos();
        long first = group.firstAssignedNanos();
        return new GroupResult(topic, groupName, parts.size(), members, total, s.recordSize(), group.distinct(),
                group.duplicates(), group.gaps(), end > 0 ? (end - t0) / 1e9 : 0, end > 0 && first > 0 ? (end - first) / 1e9 : 0,
                since(t0, first), since(t0, group.stableNanos()), group.movedPartitions(), leaveMs,
                brokerCpu, clientCpu, ProcStats.read(target.pid()).rssBytes(), loadAverage,
                list.stream().map(GroupMember::records).toList(), group.errors());
    }

    /** Member 0 commits where it is, leaves, and the others take its partitions: returns the ms that took, or -1. */
    private static double leaveOne(List<GroupMember> members, GroupProgress group) throws InterruptedException {
        GroupMember leaver = members.get(0);
        try {
            CommitResult result = leaver.commitOwned().get(STEP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            if (result.getError() != ErrorCode.ERROR_CODE_NONE) {
                group.error("COMMIT_" + result.getError().name());
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            group.error("COMMIT_FAILED");
        }
        Set<Integer> others = IntStream.range(1, members.size()).boxed().collect(Collectors.toSet());
        CountDownLatch covered = group.watchCoverage(others);
        long sent = System.nanoTime();
        leaver.leave();
        if (!covered.await(STEP_BOUND.toNanos(), TimeUnit.NANOSECONDS)) {
            group.error("LEAVE_NOT_COVERED");
            return -1;
        }
        double ms = (group.coveredNanos() - sent) / 1e6;
        if (!leaver.awaitEnd(STEP_BOUND.toMillis())) {
            group.error("LEAVE_STREAM_NOT_ENDED");
        }
        return ms;
    }

    /** Until every record is read, the deadline, or no record for {@code stallNanos} (then CONSUMER_STALLED). */
    private static void awaitDone(GroupProgress group, long deadline, long stallNanos) throws InterruptedException {
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        while (!group.awaitDone(Math.min(1_000_000_000L, Math.max(0, deadline - System.nanoTime())))) {
            long now = System.nanoTime();
            long count = group.received();
            if (count != lastCount) {
                lastCount = count;
                lastProgress = now;
            } else if (now - lastProgress >= stallNanos) {
                group.error("CONSUMER_STALLED");
                return;
            }
            if (now >= deadline) {
                group.error("TIMED_OUT");
                return;
            }
        }
    }

    private ScheduledExecutorService progressLines(GroupProgress group, long total, long t0) {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-group-progress");
            t.setDaemon(true);
            return t;
        });
        if (progress != null) {
            ticker.scheduleAtFixedRate(() -> progress.println(String.format(Locale.ROOT,
                    "%6.1f s  read %,d of %,d  partitions per member %s  stable at %s ms",
                    (System.nanoTime() - t0) / 1e9, group.distinct(), total, group.shares(),
                    group.stableNanos() == 0 ? "-" : String.format(Locale.ROOT, "%.1f", (group.stableNanos() - t0) / 1e6))),
                    1, 1, TimeUnit.SECONDS);
        }
        return ticker;
    }

    private static double since(long t0, long t) {
        return t == 0 ? -1 : (t - t0) / 1e6;
    }

    private void log(String message) {
        if (progress != null) {
            progress.println(">> " + message);
        }
    }
}
