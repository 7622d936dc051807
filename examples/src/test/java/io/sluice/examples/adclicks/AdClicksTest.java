package io.sluice.examples.adclicks;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdClicksTest {
    // Half the default clicks: about 5 s keyed by ad, 2 s keyed by ad and user bucket.
    private static final AdClicks.Settings SETTINGS = new AdClicks.Settings(6_000, 20, 0.5, 5_000, 64, 6, 3, 1_000);

    @TempDir
    Path dir;

    @Test
    void aHotAdMakesOnePartitionHotACompoundKeySpreadsItAndTheAggregateStaysTheSame() {
        AdClicks.Result result;
        try (BrokerFixture broker = BrokerFixture.start(dir)) {
            result = AdClicks.run(broker.bootstrap(), SETTINGS);
        }
        assertThat(result.passed()).isTrue();
        Map<String, Long> expected = result.expected();
        assertThat(expected.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(6_000);
        assertThat(expected.get(Clicks.HOT_AD)).isBetween(2_800L, 3_200L);

        AdClicks.Run byAd = result.byAd();
        AdClicks.Run byBucket = result.byAdAndUserBucket();
        assertThat(byAd.clicksByAd()).isEqualTo(expected);
        assertThat(byBucket.clicksByAd()).isEqualTo(expected);
        // Every partition's clicks were counted, by one aggregator each.
        assertThat(byAd.clicksByPartition().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(6_000);
        assertThat(byBucket.clicksByPartition()).hasSize(6);
        assertThat(byBucket.clicksByPartition().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(6_000);

        // By ad, the hot ad's partition has at least its half; by ad and bucket, none is far above 1/6.
        assertThat(byAd.hottestShare()).isGreaterThanOrEqualTo(0.5);
        assertThat(byBucket.hottestShare()).isLessThan(0.22);
        // The aggregator with the hot partition set the pace: the even run is clearly faster.
        assertThat(byBucket.elapsed()).isLessThan(byAd.elapsed().multipliedBy(3).dividedBy(4));
    }
}
