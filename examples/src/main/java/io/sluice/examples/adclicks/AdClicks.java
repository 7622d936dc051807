package io.sluice.examples.adclicks;

import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.SluiceClient;
import io.sluice.examples.common.ExampleMain;
import io.sluice.examples.common.Groups;
import io.sluice.examples.common.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;

/**
 * Ad-click aggregator with a hot key. Clicks are counted per ad by a consumer group; one ad gets half of
 * the traffic.
 *
 * <ol>
 * <li>Keyed by {@code ad_id}: every click of an ad lands on the same partition, so one partition, and the one
 *     aggregator that owns it, gets half of all clicks. The others idle while it catches up.</li>
 * <li>Keyed by {@code ad_id:user_bucket}: the hot ad's clicks spread over as many keys as there are user
 *     buckets, so over every partition: the load is even and the run is faster. Each aggregator then holds
 *     partial counts of an ad; the aggregate is their sum.</li>
 * </ol>
 * Both runs end with the same aggregate, equal to the clicks counted directly.
 *
 * <p>Run it: {@code bin/sluice-example ad-clicks [--bootstrap host:port]}.
 */
public final class AdClicks {
    /**
     * @param clicks        clicks in each run
     * @param ads           distinct ads
     * @param hotShare      the hot ad's share of the clicks
     * @param users         distinct users
     * @param userBuckets   buckets users are hashed into for the compound key
     * @param partitions    partitions of the clicks topic
     * @param aggregators   consumer group members
     * @param perSecond     clicks each aggregator handles a second
     */
    public record Settings(int clicks, int ads, double hotShare, int users, int userBuckets, int partitions,
                           int aggregators, int perSecond) {
        public static Settings defaults() {
            return new Settings(12_000, 20, 0.5, 5_000, 64, 6, 3, 1_000);
        }
    }

    /**
     * One run's outcome.
     *
     * @param clicksByPartition the load of each partition
     * @param clicksByAd        the aggregate: every aggregator's partial counts summed
     */
    public record Run(String keying, Map<Integer, Long> clicksByPartition, Map<String, Long> clicksByAd,
                      Duration elapsed) {
        /** The busiest partition's share of the clicks. */
        public double hottestShare() {
            long total = clicksByPartition.values().stream().mapToLong(Long::longValue).sum();
            return (double) clicksByPartition.values().stream().mapToLong(Long::longValue).max().orElse(0) / total;
        }
    }

    public record Result(Run byAd, Run byAdAndUserBucket, Map<String, Long> expected) implements ExampleMain.Checked {
        /** Same aggregate both times; one partition hot by ad, none far above the even share by ad and bucket. */
        @Override
        public boolean passed() {
            int partitions = byAd.clicksByPartition().size();
            return byAd.clicksByAd().equals(expected) && byAdAndUserBucket.clicksByAd().equals(expected)
                    && byAd.hottestShare() > 2.0 / partitions && byAdAndUserBucket.hottestShare() < 1.5 / partitions;
        }
    }

    public static void main(String[] args) {
        ExampleMain.run("ad-clicks", args, bootstrap -> run(bootstrap, Settings.defaults()));
    }

    public static Result run(String bootstrap, Settings s) {
        List<Clicks.Click> clicks = Clicks.generate(s.clicks(), s.ads(), s.hotShare(), s.users());
        Map<String, Long> expected = Clicks.countByAd(clicks);
        System.out.printf("%d clicks on %d ads, %s gets %.0f %%; %d partitions, %d aggregators handling %d clicks/s each.%n%n",
                s.clicks(), s.ads(), Clicks.HOT_AD, 100.0 * expected.get(Clicks.HOT_AD) / s.clicks(), s.partitions(),
                s.aggregators(), s.perSecond());
        try (SluiceClient client = SluiceClient.connect(bootstrap)) {
            System.out.println("Run 1: key = ad_id. All clicks of an ad go to one partition.");
            Run byAd = runOnce(client, s, clicks, "ad_id", Clicks.Click::ad);

            System.out.println();
            System.out.println("Run 2: key = ad_id:user_bucket. The hot ad's clicks spread over " + s.userBuckets() + " keys.");
            Run byBucket = runOnce(client, s, clicks, "ad_id:user_bucket",
                    click -> click.ad() + ":" + click.user() % s.userBuckets());

            Result result = new Result(byAd, byBucket, expected);
            System.out.printf("%nHottest partition: %.0f %% of the clicks keyed by ad_id, %.0f %% by ad_id:user_bucket"
                            + " (even: %.0f %%); %.1f s against %.1f s.%n", 100 * byAd.hottestShare(),
                    100 * byBucket.hottestShare(), 100.0 / s.partitions(), byAd.elapsed().toMillis() / 1000.0,
                    byBucket.elapsed().toMillis() / 1000.0);
            System.out.println("Aggregates: " + (byAd.clicksByAd().equals(byBucket.clicksByAd()) ? "the same in both runs" : "DIFFERENT")
                    + (result.passed() ? ", and equal to the clicks counted directly" : ", NOT equal to the clicks counted directly"));
            return result;
        }
    }

    private static Run runOnce(SluiceClient client, Settings s, List<Clicks.Click> clicks, String keying,
                               Function<Clicks.Click, String> key) {
        String topic = Names.unique("clicks");
        String group = Names.unique("click-counts");
        client.admin().createTopic(topic, s.partitions()).block(Duration.ofSeconds(10));

        List<Aggregator> aggregators = new ArrayList<>();
        for (int i = 0; i < s.aggregators(); i++) {
            aggregators.add(new Aggregator(client, String.valueOf((char) ('A' + i)), topic, group, s.perSecond()));
        }
        try {
            // Let every aggregator get its partitions first: then no click is counted twice after a move.
            Groups.awaitSettled(client.admin(), group, aggregators.size(), Duration.ofSeconds(30));
            Map<Integer, String> owners = new TreeMap<>();
            aggregators.forEach(a -> a.partitions().forEach(p -> owners.put(p, a.name())));
            System.out.println("  topic " + topic + ", group " + group + ": " + aggregators.stream()
                    .map(a -> a.name() + " owns partitions " + a.partitions()).collect(Collectors.joining(", ")));

            long start = System.nanoTime();
            client.producer(ProducerOptions.strings())
                    .send(Flux.fromIterable(clicks).map(click -> ProducerRecord.of(topic, key.apply(click), click.value())))
                    .blockLast(Duration.ofSeconds(60));
            while (total(aggregators) < clicks.size() && System.nanoTime() - start < Duration.ofSeconds(120).toNanos()) {
                sleep(Duration.ofSeconds(1));
                System.out.printf("  %4.1f s  counted %s%n", (System.nanoTime() - start) / 1e9, aggregators.stream()
                        .map(a -> a.name() + " " + a.total()).collect(Collectors.joining(", ")));
            }
            long last = aggregators.stream().mapToLong(Aggregator::lastCountNanos).max().orElse(start);
            Duration elapsed = Duration.ofNanos(last - start);

            // Each aggregator holds partial counts: the aggregate is their sum.
            Map<String, Long> clicksByAd = new TreeMap<>();
            Map<Integer, Long> clicksByPartition = new TreeMap<>();
            for (Aggregator aggregator : aggregators) {
                aggregator.clicksByAd().forEach((ad, n) -> clicksByAd.merge(ad, n, Long::sum));
                clicksByPartition.putAll(aggregator.clicksByPartition());
            }
            Run run = new Run(keying, clicksByPartition, clicksByAd, elapsed);
            System.out.printf("  all counted after %.1f s; clicks per partition (and its aggregator):%n",
                    elapsed.toMillis() / 1000.0);
            printLoad(run, owners, clicks.size());
            System.out.println("  aggregate: " + clicksByAd.values().stream().mapToLong(Long::longValue).sum()
                    + " clicks; top ads " + clicksByAd.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(3)
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
            return run;
        } finally {
            aggregators.forEach(Aggregator::close);
        }
    }

    private static void printLoad(Run run, Map<Integer, String> owners, int total) {
        run.clicksByPartition().forEach((partition, n) -> System.out.printf("  partition %d  (%s) %6d clicks  %-40s%s%n",
                partition, owners.get(partition), n, "#".repeat((int) (40 * n / total)),
                n == run.clicksByPartition().values().stream().mapToLong(Long::longValue).max().orElse(0)
                        && run.hottestShare() > 0.4 ? " <- hot" : ""));
    }

    private static long total(List<Aggregator> aggregators) {
        return aggregators.stream().mapToLong(Aggregator::total).sum();
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
