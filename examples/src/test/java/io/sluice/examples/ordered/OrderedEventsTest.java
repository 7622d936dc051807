package io.sluice.examples.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrderedEventsTest {
    // 1 800 events over 2 s, against 1 000/s, then 1 500/s once the third worker joins.
    private static final OrderedEvents.Settings SETTINGS = new OrderedEvents.Settings(30, 60, 6, 2, 500, Duration.ofSeconds(2));

    @TempDir
    Path dir;

    @Test
    void everyAccountsEventsAreAppliedInOrderOnceAcrossARebalance() {
        OrderedEvents.Result result;
        try (BrokerFixture broker = BrokerFixture.start(dir)) {
            result = OrderedEvents.run(broker.bootstrap(), SETTINGS);
        }
        assertThat(result.passed()).isTrue();
        assertThat(result.events()).isEqualTo(1_800);
        assertThat(result.applied()).isEqualTo(1_800);
        assertThat(result.gaps()).isZero();
        assertThat(result.bounced()).isZero();
        assertThat(result.expected()).hasSize(30);
        assertThat(result.balances()).isEqualTo(result.expected());
        // The third worker took partitions from the first two while events flowed.
        assertThat(result.moved()).isPositive();
    }
}
