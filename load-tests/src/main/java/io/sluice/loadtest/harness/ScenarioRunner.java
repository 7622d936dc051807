package io.sluice.loadtest.harness;

import io.grpc.Channel;
import io.sluice.proto.v1.AdminServiceGrpc;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.DescribeTopicRequest;
import io.sluice.proto.v1.PartitionDescription;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs a scenario against a broker: topic set-up, unmeasured warm-up and fill, then the measured phase
 * with its producers, consumers and once-a-second sampling. Every phase is bounded in records and time.
 */
public final class ScenarioRunner {
    private final BrokerTarget target;
    private final PrintStream progress; // null: no progress lines

    public ScenarioRunner(BrokerTarget target, PrintStream progress) {
        this.target = target;
        this.progress = progress;
    }

    public Summary run(Scenario scenario) throws InterruptedException {
        String topic = scenario.topicName();
        if (scenario.createTopic()) {
            topic = topic + "-" + System.currentTimeMillis();
            createTopic(topic, scenario);
        }
        if (scenario.warmupRecords() > 0) {
            warmUp(scenario, topic + "-warmup");
        }
        long expected = scenario.maxRecords();
        if (scenario.workload() == Scenario.Workload.CONSUME) {
            if (scenario.fillFirst()) {
                log("filling " + topic + " with " + scenario.maxRecords() + " records (not measured)");
                execute(fillerFor(scenario), topic, null);
            }
            expected = Math.min(expected, recordsIn(topic));
        } else if (scenario.injection() instanceof Injection.Open open) {
            expected = Math.min(expected, open.totalRecords());
        }
        log("running " + scenario.name() + " on topic " + topic + ": " + scenario.injection().describe());
        return execute(scenario, topic, expected, progress);
    }

    private void warmUp(Scenario scenario, String topic) throws InterruptedException {
        log("warm-up: " + scenario.warmupRecords() + " records produced and consumed on " + topic + " (not measured)");
        createTopic(topic, scenario);
        Scenario warm = Scenario.endToEnd(scenario.name() + "-warmup").existingTopic(topic)
                .partitions(scenario.partitions()).recordSize(scenario.recordSize()).acks(scenario.acks())
                .batchSize(scenario.batchBytes()).linger(scenario.linger())
                .inject(Injection.closed(1, Duration.ofSeconds(120))).maxRecords(scenario.warmupRecords()).build();
        execute(warm, topic, warm.maxRecords(), null);
    }

    /** The closed-model producer that fills a topic for a consume scenario. */
    private static Scenario fillerFor(Scenario scenario) {
        return Scenario.produce(scenario.name() + "-fill").existingTopic(scenario.topicName())
                .partitions(scenario.partitions()).recordSize(scenario.recordSize()).keys(scenario.keys())
                .inject(Injection.closed(1, Duration.ofSeconds(300))).maxRecords(scenario.maxRecords()).build();
    }

    private Summary execute(Scenario scenario, String topic, PrintStream out) throws InterruptedException {
        return execute(scenario, topic, scenario.maxRecords(), out);
    }

    private Summary execute(Scenario scenario, String topic, long expected, PrintStream out) throws InterruptedException {
        Channel channel = target.channel();
        RunMetrics metrics = new RunMetrics();
        String startedAt = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String loadAverage = loadAverage();
        double clientCpu0 = clientCpuSeconds();
        long start = System.nanoTime();
        long deadline = start + scenario.maxDuration().toNanos();
        Sampler sampler = new Sampler(metrics, target.pid(), scenario.recordSize(), out, start);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-sampler");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(sampler::sample, 1, 1, TimeUnit.SECONDS);
        Semaphore e2eWindow = scenario.releaseOnConsume() ? ProducerDriver.newWindow(scenario) : null;
        ConsumerDriver.SharedTarget consumeTarget = new ConsumerDriver.SharedTarget(expected);
        List<ConsumerDriver> consumers = new ArrayList<>();
        try {
            if (scenario.consumes()) {
                int count = scenario.workload() == Scenario.Workload.CONSUME
                        ? ((Injection.Closed) scenario.injection()).concurrency() : 1;
                for (int i = 0; i < count; i++) {
                    ConsumerDriver consumer = new ConsumerDriver(scenario, metrics, consumeTarget, e2eWindow);
                    consumer.start(channel, topic, partitionsOf(i, count, scenario.partitions()));
                    consumers.add(consumer);
                }
            }
            if (scenario.produces()) {
                runProducers(scenario, topic, channel, metrics, e2eWindow, start, deadline);
            }
            if (scenario.consumes()) {
                if (scenario.produces()) {
                    consumeTarget.set(metrics.ackedRecords.sum(), metrics.consumedRecords.sum());
                }
                awaitConsumers(consumeTarget, metrics, deadline, scenario.drain().toNanos());
            }
        } finally {
            consumers.forEach(ConsumerDriver::stop);
            ticker.shutdownNow();
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        }
        sampler.sample(); // the last, partial interval
        long end = Math.max(metrics.lastAckNanos(), metrics.lastConsumeNanos());
        double seconds = Math.max(1e-9, ((end > 0 ? end : System.nanoTime()) - start) / 1e9);
        double producedSeconds = Math.max(1e-9, (metrics.lastAckNanos() - start) / 1e9);
        double consumedSeconds = Math.max(1e-9, (metrics.lastConsumeNanos() - start) / 1e9);
        long acked = metrics.ackedRecords.sum();
        long consumed = metrics.consumedRecords.sum();
        double mb = scenario.recordSize() / Sampler.MB;
        double brokerCpu = sampler.brokerCpuSeconds();
        return new Summary(scenario.name(), scenario.workload().name(), topic, parameters(scenario), startedAt, loadAverage,
                seconds, metrics.sentRecords.sum(), acked, metrics.failedRecords.sum(), consumed,
                scenario.produces() ? new Summary.Rate(acked / producedSeconds, acked * mb / producedSeconds) : new Summary.Rate(0, 0),
                scenario.consumes() ? new Summary.Rate(consumed / consumedSeconds, consumed * mb / consumedSeconds) : new Summary.Rate(0, 0),
                Summary.Latency.of(sampler.ackTotal()), Summary.Latency.of(sampler.endToEndTotal()), metrics.errors(),
                new Summary.Broker(target.pid(), brokerCpu, brokerCpu >= 0 ? brokerCpu / seconds : -1, sampler.maxBrokerRssBytes()),
                clientCpuSeconds() - clientCpu0, sampler.timeline());
    }

    /**
     * Waits until the consumers have read their target, the deadline passes, or they made no progress for
     * {@code stallNanos}: a stall ends the run early with a CONSUMER_STALLED error instead of idling to the deadline.
     */
    private static void awaitConsumers(ConsumerDriver.SharedTarget target, RunMetrics metrics, long deadline,
                                       long stallNanos) throws InterruptedException {
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        while (!target.await(Math.min(1_000_000_000L, Math.max(0, deadline - System.nanoTime())))) {
            long now = System.nanoTime();
            long count = metrics.consumedRecords.sum();
            if (count != lastCount) {
                lastCount = count;
                lastProgress = now;
            } else if (now - lastProgress >= stallNanos) {
                metrics.failed("CONSUMER_STALLED", target.remaining());
                return;
            }
            if (now >= deadline) {
                return;
            }
        }
    }

    private static void runProducers(Scenario scenario, String topic, Channel channel, RunMetrics metrics,
                                     Semaphore sharedWindow, long start, long deadline) throws InterruptedException {
        int count = scenario.injection() instanceof Injection.Closed closed ? closed.concurrency() : 1;
        RecordBudget budget = new RecordBudget(scenario.maxRecords());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Semaphore window = sharedWindow != null ? sharedWindow : ProducerDriver.newWindow(scenario);
            ProducerDriver driver = new ProducerDriver(scenario, topic, channel, metrics, budget, window, start, deadline, 42 + i);
            Thread thread = new Thread(driver, "bench-producer-" + i);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 5_000));
        }
    }

    /** Consumer i of n reads partitions i, i+n, i+2n, ... (all of them when n is 1). */
    private static List<Integer> partitionsOf(int consumer, int consumers, int partitions) {
        List<Integer> mine = new ArrayList<>();
        for (int p = consumer; p < partitions; p += consumers) {
            mine.add(p);
        }
        return mine;
    }

    private void createTopic(String topic, Scenario scenario) {
        AdminServiceGrpc.newBlockingStub(target.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .createTopic(CreateTopicRequest.newBuilder().setName(topic).setPartitions(scenario.partitions())
                        .putConfigs("durability", scenario.durability()).build());
    }

    private long recordsIn(String topic) {
        return AdminServiceGrpc.newBlockingStub(target.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .describeTopic(DescribeTopicRequest.newBuilder().setName(topic).build()).getTopic()
                .getPartitionsList().stream().mapToLong(p -> p.getEndOffset() - p.getStartOffset()).sum();
    }

    static Map<String, String> parameters(Scenario s) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("workload", s.workload().name());
        p.put("injection", s.injection().describe());
        p.put("max records", Long.toString(s.maxRecords()));
        p.put("max duration", s.maxDuration().toSeconds() + " s");
        p.put("record size", s.recordSize() + " B");
        p.put("keys", s.keys().describe());
        p.put("partitions", Integer.toString(s.partitions()));
        p.put("acks", s.acks().name());
        p.put("durability", s.durability());
        p.put("batch size", s.batchBytes() + " B" + (s.batchRecords() < Integer.MAX_VALUE ? ", " + s.batchRecords() + " records" : ""));
        p.put("linger", s.linger().toMillis() + " ms");
        p.put("max in flight", s.maxInFlight() + (s.releaseOnConsume() ? " (released on consume)" : " batches"));
        p.put("consumer credit", s.creditRecords() + " records, " + s.creditBytes() + " B");
        p.put("warm-up records", Long.toString(s.warmupRecords()));
        return p;
    }

    static double clientCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    static String loadAverage() {
        try {
            return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
        } catch (Exception e) {
            return "unknown";
        }
    }

    private void log(String message) {
        if (progress != null) {
            progress.println(">> " + message);
        }
    }
}
