package io.sluice.examples.photos;

import io.sluice.client.DeadLetterInfo;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.QueueInfo;
import io.sluice.client.QueueNotFoundException;
import io.sluice.client.QueueOptions;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceQueueAdmin;
import io.sluice.client.StartPosition;
import io.sluice.examples.common.ExampleMain;
import io.sluice.examples.common.Names;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Photo-processing worker pool, on a queue. Uploaded photos are jobs on a topic; a pool of workers shares them
 * through a queue (queue mode: every worker takes jobs from every partition, each job locked to one worker
 * until it is settled). Each job takes a random time. A few fail once on a storage hiccup: the worker nacks
 * them and the queue delivers them again after a short backoff, when they succeed. A few are poison (a corrupt
 * or unsupported file): the worker rejects them with the reason, and the queue moves them to the dead-letter
 * topic {@code <topic>.dlq} at once, with where they came from and why.
 *
 * <p>At the end the counts must match: every job processed exactly once or dead-lettered, as many retries as
 * transient failures, as many dead letters as poison jobs, each with its reason and original coordinates. Then
 * the dead letters are shown by {@code sluice dlq peek}, run in this process.
 *
 * <p>Run it: {@code bin/sluice-example photo-workers [--bootstrap host:port]}.
 */
public final class PhotoWorkers {
    /**
     * @param jobs          photo jobs
     * @param workers       workers, each a queue subscription processing one job at a time
     * @param partitions    partitions of the jobs topic (fewer than the workers: a queue does not mind)
     * @param minMillis     shortest processing time of a job
     * @param maxMillis     longest processing time of a job
     * @param transientRate share of the jobs whose first try fails and whose retry succeeds
     * @param poisonRate    share of the jobs that are poison
     * @param seed          picks the failing jobs and the processing times
     * @param backoff       the queue's delay before a retry
     */
    public record Settings(int jobs, int workers, int partitions, int minMillis, int maxMillis, double transientRate,
                           double poisonRate, long seed, Duration backoff) {
        public static Settings defaults() {
            return new Settings(2_000, 8, 4, 1, 10, 0.02, 0.005, 42, Duration.ofMillis(20));
        }
    }

    /** Where a job was stored in the jobs topic. */
    public record Coordinates(int partition, long offset) {
    }

    /**
     * The outcome.
     *
     * @param jobs              the jobs, with which are transient failures and which poison
     * @param produced          where each job was stored, by job id
     * @param processed         distinct jobs processed (acked)
     * @param duplicates        acks beyond a job's first
     * @param retried           failed tries given back to the queue for a retry (nacks)
     * @param redeliveries      tries that were a job's second or later
     * @param rejected          jobs the workers rejected as poison, with the reason they gave
     * @param settleErrors      outcomes the broker did not store
     * @param queue             the queue as the broker describes it at the end
     * @param deadLetters       every dead letter in the dead-letter topic
     * @param deadLetterProblems dead letters that are not a poison job's, or not as expected; or poison jobs missing
     * @param perWorker         jobs each worker processed
     * @param peek              what {@code sluice dlq peek} printed
     */
    public record Result(PhotoJobs jobs, Map<Integer, Coordinates> produced, long processed, long duplicates, long retried,
                         long redeliveries, Map<Integer, String> rejected, long settleErrors, QueueInfo queue,
                         List<DeadLetterInfo> deadLetters, List<String> deadLetterProblems, List<Long> perWorker,
                         DeadLetterPeek peek) implements ExampleMain.Checked {
        public boolean countsMatch() {
            int poison = jobs.poison().size();
            return produced.size() == jobs.count() && processed == jobs.count() - poison && duplicates == 0
                    && retried == jobs.transients().size() && redeliveries == jobs.transients().size()
                    && rejected.equals(jobs.poison()) && settleErrors == 0 && queue.backlog() == 0
                    && queue.deadLettered() == poison && deadLetters.size() == poison && deadLetterProblems.isEmpty();
        }

        /** The peek succeeded and shows every poison job with its reason. */
        public boolean peekShowsPoison() {
            return peek.exit() == 0 && jobs.poison().entrySet().stream()
                    .allMatch(e -> peek.out().lines().anyMatch(line -> line.contains(PhotoJobs.key(e.getKey()))
                            && line.contains(e.getValue())));
        }

        @Override
        public boolean passed() {
            return countsMatch() && peekShowsPoison();
        }
    }

    public static void main(String[] args) {
        ExampleMain.run("photo-workers", args, bootstrap -> run(bootstrap, Settings.defaults()));
    }

    public static Result run(String bootstrap, Settings s) {
        PhotoJobs jobs = PhotoJobs.generate(s.jobs(), s.transientRate(), s.poisonRate(), s.seed());
        String topic = Names.unique("photo-jobs");
        String queueName = Names.unique("resizers");
        String deadLetterTopic = topic + ".dlq"; // the queue's default
        System.out.printf("%d photo jobs, %d workers taking %d-%d ms each; %d jobs fail once (retried), %d are poison"
                        + " (dead-lettered).%n", s.jobs(), s.workers(), s.minMillis(), s.maxMillis(), jobs.transients().size(),
                jobs.poison().size());

        try (SluiceClient client = SluiceClient.connect(bootstrap)) {
            SluiceQueueAdmin queueAdmin = client.queueAdmin();
            client.admin().createTopic(topic, s.partitions()).block(Duration.ofSeconds(10));
            QueueOptions<String, String> options = QueueOptions.strings()
                    .queue(queueName, topic)
                    .start(StartPosition.earliest())
                    .maxDeliveryAttempts(3)
                    // Short, so that retries come quickly here; a real storage hiccup may want seconds.
                    .backoff(s.backoff(), s.backoff().multipliedBy(10), 2.0)
                    // A worker holds few jobs it has not started: the others stay free for idle workers.
                    .prefetch(2, 1 << 20);

            Map<Integer, Coordinates> produced = new ConcurrentHashMap<>();
            try (WorkerPool pool = new WorkerPool(client, options, jobs, s.workers(), s.seed(), s.minMillis(), s.maxMillis())) {
                awaitWorkers(queueAdmin, queueName, s.workers());
                System.out.printf("  topic %s (%d partitions), queue %s with %d workers, dead letters to %s%n", topic,
                        s.partitions(), queueName, s.workers(), deadLetterTopic);

                long start = System.nanoTime();
                Disposable uploading = client.producer(ProducerOptions.strings())
                        .send(Flux.range(0, s.jobs()).map(id ->
                                ProducerRecord.of(topic, PhotoJobs.key(id), PhotoJobs.value(id)).withCorrelation(id)))
                        .subscribe(sent -> produced.put(sent.correlation(), new Coordinates(sent.partition(), sent.offset())));

                // Progress a few times a second, until every job is settled (or it is clearly stuck).
                QueueInfo queue = queueAdmin.describeQueue(queueName).block(Duration.ofSeconds(10));
                while ((produced.size() < s.jobs() || queue.backlog() > 0 || pool.processed() + pool.rejected().size() < s.jobs())
                        && System.nanoTime() - start < Duration.ofSeconds(60).toNanos()) {
                    sleep(Duration.ofMillis(250));
                    queue = queueAdmin.describeQueue(queueName).block(Duration.ofSeconds(10));
                    System.out.printf("  %4.1f s  uploaded %4d  processed %4d  retried %3d  dead-lettered %3d  |  queue:"
                                    + " backlog %4d  in flight %2d  waiting to retry %2d%n", (System.nanoTime() - start) / 1e9,
                            produced.size(), pool.processed(), pool.retried(), pool.rejected().size(), queue.backlog(),
                            queue.inFlight(), queue.delayed());
                }
                uploading.dispose();

                List<DeadLetterInfo> deadLetters = queueAdmin.peekDeadLetters(deadLetterTopic, 10_000, true)
                        .collectList().block(Duration.ofSeconds(10));
                Result result = new Result(jobs, Map.copyOf(produced), pool.processed(), pool.duplicates(), pool.retried(),
                        pool.redeliveries(), pool.rejected(), pool.settleErrors(), queue, deadLetters,
                        deadLetterProblems(jobs, produced, topic, queueName, deadLetters), pool.perWorker(),
                        DeadLetterPeek.run(bootstrap, deadLetterTopic, jobs.poison().size()));
                report(result, s);
                return result;
            }
        }
    }

    /** What is wrong with the dead letters: each poison job must be there once, with its reason and origin. */
    private static List<String> deadLetterProblems(PhotoJobs jobs, Map<Integer, Coordinates> produced, String topic,
                                                   String queue, List<DeadLetterInfo> deadLetters) {
        List<String> problems = new ArrayList<>();
        Map<Integer, List<DeadLetterInfo>> byJob = deadLetters.stream()
                .collect(Collectors.groupingBy(d -> PhotoJobs.id(text(d.key()))));
        byJob.forEach((id, letters) -> {
            String key = PhotoJobs.key(id);
            if (jobs.poisonReason(id) == null) {
                problems.add(key + " was dead-lettered but is not poison");
            } else if (letters.size() > 1) {
                problems.add(key + " was dead-lettered " + letters.size() + " times");
            }
        });
        jobs.poison().forEach((id, reason) -> {
            String key = PhotoJobs.key(id);
            List<DeadLetterInfo> letters = byJob.get(id);
            if (letters == null) {
                problems.add(key + " is poison but was not dead-lettered");
                return;
            }
            DeadLetterInfo d = letters.get(0);
            if (!reason.equals(d.reason())) {
                problems.add(key + ": reason '" + d.reason() + "', expected '" + reason + "'");
            }
            String from = d.originalTopic() + "-" + d.originalPartition() + "@" + d.originalOffset();
            Coordinates origin = produced.get(id);
            String stored = origin == null ? "?" : topic + "-" + origin.partition() + "@" + origin.offset();
            if (!from.equals(stored)) {
                problems.add(key + ": from " + from + ", but it was stored at " + stored);
            }
            if (!d.queue().equals(queue)) {
                problems.add(key + ": dead-lettered by queue " + d.queue() + ", expected " + queue);
            }
            if (d.deliveryCount() != 1) {
                problems.add(key + ": " + d.deliveryCount() + " deliveries, expected 1 (rejected on its first try)");
            }
            if (!PhotoJobs.value(id).equals(text(d.value()))) {
                problems.add(key + ": value '" + text(d.value()) + "', expected '" + PhotoJobs.value(id) + "'");
            }
        });
        return problems;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static void report(Result r, Settings s) {
        int transients = r.jobs().transients().size();
        int poison = r.jobs().poison().size();
        System.out.printf("%n%d jobs: %d processed (%d twice), %d retried (%d transient failures), %d dead-lettered"
                        + " (%d poison jobs; the queue counts %d); backlog %d: %s%n", r.jobs().count(), r.processed(),
                r.duplicates(), r.retried(), transients, r.rejected().size(), poison, r.queue().deadLettered(),
                r.queue().backlog(), r.countsMatch() ? "counts match" : "COUNTS DIFFER");
        System.out.println("  jobs per worker: " + IntStream.range(0, r.perWorker().size())
                .mapToObj(i -> (i + 1) + ": " + r.perWorker().get(i)).collect(Collectors.joining(", ")));
        System.out.printf("  dead letters: %d, each with its reason and original topic, partition and offset: %s%n",
                r.deadLetters().size(), r.deadLetterProblems().isEmpty() ? "as expected" : "NOT AS EXPECTED");
        r.deadLetterProblems().forEach(problem -> System.out.println("    " + problem));

        System.out.printf("%nThe dead letters, as `sluice dlq peek` shows them (redrive them with `sluice dlq redrive`):%n");
        System.out.println("$ " + r.peek().command());
        System.out.print(r.peek().out());
        System.out.print(r.peek().err());
        if (!r.peekShowsPoison()) {
            System.out.println("  the peek did not show every poison job with its reason (exit " + r.peek().exit() + ")");
        }
    }

    /** Waits until every worker has subscribed, so that all of them are there when the jobs arrive. */
    private static void awaitWorkers(SluiceQueueAdmin admin, String queue, int workers) {
        Mono.defer(() -> admin.describeQueue(queue))
                .onErrorResume(QueueNotFoundException.class, e -> Mono.empty()) // until the first worker created it
                .filter(q -> q.workers() == workers)
                .repeatWhenEmpty(Integer.MAX_VALUE, ticks -> ticks.delayElements(Duration.ofMillis(50)))
                .timeout(Duration.ofSeconds(30))
                .block();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
