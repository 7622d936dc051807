package io.sluice.examples.surge;

import io.sluice.client.SluiceClient;
import io.sluice.examples.common.ExampleMain;
import io.sluice.examples.common.Groups;
import io.sluice.examples.common.Names;
import java.time.Duration;
import java.util.Map;
import reactor.core.Disposable;

/**
 * Ride-sharing surge buffer. A burst of ride requests (5 000 in 1 s) arrives while the matching workers, a
 * consumer group, handle 500 a second together. The topic is the buffer between the two.
 *
 * <ol>
 * <li>No backlog limit: the broker stores the whole burst at once and the workers drain it at their own
 *     pace. Nothing is dropped and nobody is refused; the progress lines show the backlog draining.</li>
 * <li>{@code backlog.max.records} per partition with {@code backlog.policy=reject}: the broker refuses what
 *     would pass the limit (LIMIT_EXCEEDED, gRPC status RESOURCE_EXHAUSTED), the producer backs off and
 *     sends the rest later. The broker never holds more than the limit; the burst waits at the producer.</li>
 * </ol>
 * Both runs end with as many requests matched as were sent and stored.
 *
 * <p>Run it: {@code bin/sluice-example surge-buffer [--bootstrap host:port]}.
 */
public final class SurgeBuffer {
    /**
     * @param requests           ride requests in the burst
     * @param burst              how long the burst lasts
     * @param workers            matching workers (consumer group members), one per partition
     * @param perWorkerPerSecond requests each worker matches a second
     * @param backlogLimit       {@code backlog.max.records} per partition in the second run
     * @param backoff            how long the producer waits after a refusal (the broker's refusal suggests 1 s)
     */
    public record Settings(int requests, Duration burst, int workers, int perWorkerPerSecond, int backlogLimit,
                           Duration backoff) {
        public static Settings defaults() {
            return new Settings(5_000, Duration.ofSeconds(1), 4, 125, 250, Duration.ofSeconds(1));
        }
    }

    /**
     * One run's outcome. {@code peakBacklog} is the largest group lag seen in the progress lines;
     * {@code elapsed} runs from the first request sent to the last one matched.
     */
    public record Run(String name, int requested, long stored, long matched, long duplicates, long refusals,
                      long peakBacklog, Duration elapsed) {
        public boolean countsMatch() {
            return stored == requested && matched == requested && duplicates == 0;
        }

        public double matchedPerSecond() {
            return matched * 1000.0 / Math.max(1, elapsed.toMillis());
        }
    }

    public record Result(Run absorbed, Run refused) implements ExampleMain.Checked {
        @Override
        public boolean passed() {
            return absorbed.countsMatch() && refused.countsMatch() && absorbed.refusals() == 0 && refused.refusals() > 0;
        }
    }

    public static void main(String[] args) {
        ExampleMain.run("surge-buffer", args, bootstrap -> run(bootstrap, Settings.defaults()));
    }

    public static Result run(String bootstrap, Settings settings) {
        try (SluiceClient client = SluiceClient.connect(bootstrap)) {
            System.out.printf("%d ride requests arrive in %d ms; %d matching workers handle %d a second together.%n%n",
                    settings.requests(), settings.burst().toMillis(), settings.workers(),
                    settings.workers() * settings.perWorkerPerSecond());

            System.out.println("Run 1: no backlog limit. The topic absorbs the burst.");
            Run absorbed = runOnce(client, settings, "absorb", Map.of());

            System.out.printf("%nRun 2: backlog.max.records=%d per partition, backlog.policy=reject. The producer backs off.%n",
                    settings.backlogLimit());
            Run refused = runOnce(client, settings, "reject", Map.of(
                    "backlog.max.records", String.valueOf(settings.backlogLimit()),
                    "backlog.policy", "reject"));
            return new Result(absorbed, refused);
        }
    }

    private static Run runOnce(SluiceClient client, Settings settings, String name, Map<String, String> topicConfigs) {
        String topic = Names.unique("ride-requests");
        String group = Names.unique("matching");
        // One partition per worker: partitions are the unit a group shares out.
        client.admin().createTopic(topic, settings.workers(), topicConfigs).block(Duration.ofSeconds(10));

        try (MatchingWorkers workers = new MatchingWorkers(client, topic, group, settings.workers(),
                settings.perWorkerPerSecond())) {
            // Let every worker get its partition before the burst: no partition moves while requests flow.
            Groups.awaitSettled(client.admin(), group, settings.workers(), Duration.ofSeconds(30));
            System.out.printf("  topic %s, %d workers in group %s%n", topic, settings.workers(), group);

            RideRequests requests = new RideRequests(client, topic, settings.requests(), settings.burst());
            long start = System.nanoTime();
            Disposable sending = (topicConfigs.isEmpty() ? requests.send() : requests.sendWithBackoff(settings.backoff()))
                    .subscribe(stored -> System.out.printf("  burst stored by the broker after %.1f s%n", seconds(start)));

            // Progress once a second, until every request is matched (or it is clearly stuck).
            long peakBacklog = 0;
            Duration patience = Duration.ofSeconds(30).plusMillis(3000L * settings.requests()
                    / (settings.workers() * settings.perWorkerPerSecond()));
            while (workers.matched() < settings.requests() && System.nanoTime() - start < patience.toNanos()) {
                sleep(Duration.ofSeconds(1));
                long backlog = Groups.lag(client.admin(), group).block(Duration.ofSeconds(10));
                peakBacklog = Math.max(peakBacklog, backlog);
                System.out.printf("  %4.1f s  stored %5d  matched %5d  backlog %5d  %s%n", seconds(start),
                        requests.stored(), workers.matched(), backlog, "#".repeat((int) (40 * backlog / settings.requests())));
            }
            Duration elapsed = Duration.ofNanos(workers.lastMatchNanos() - start);
            sending.dispose();
            long stored = client.admin().describeTopic(topic).block(Duration.ofSeconds(10)).partitions().stream()
                    .mapToLong(p -> p.endOffset() - p.startOffset()).sum();
            Run run = new Run(name, settings.requests(), stored, workers.matched(), workers.duplicates(),
                    requests.refusals(), peakBacklog, elapsed);
            System.out.printf("  requested %d, stored %d, matched %d (%d twice), %d batches refused, peak backlog %d,"
                            + " %.0f matched/s: %s%n", run.requested(), run.stored(), run.matched(), run.duplicates(),
                    run.refusals(), run.peakBacklog(), run.matchedPerSecond(), run.countsMatch() ? "counts match" : "COUNTS DIFFER");
            return run;
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
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
