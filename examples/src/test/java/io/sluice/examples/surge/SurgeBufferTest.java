package io.sluice.examples.surge;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SurgeBufferTest {
    // Scaled down from 5 000: 2 000 requests at 500/s take 4 s a run.
    private static final SurgeBuffer.Settings SETTINGS =
            new SurgeBuffer.Settings(2_000, Duration.ofMillis(500), 4, 125, 100, Duration.ofMillis(500));

    @TempDir
    Path dir;

    @Test
    void theBurstIsAbsorbedOrRefusedAndBackedOffAndEveryRequestIsMatchedOnce() {
        SurgeBuffer.Result result;
        try (BrokerFixture broker = BrokerFixture.start(dir)) {
            result = SurgeBuffer.run(broker.bootstrap(), SETTINGS);
        }
        assertThat(result.passed()).isTrue();

        SurgeBuffer.Run absorbed = result.absorbed();
        assertThat(absorbed.stored()).isEqualTo(2_000);
        assertThat(absorbed.matched()).isEqualTo(2_000);
        assertThat(absorbed.duplicates()).isZero();
        assertThat(absorbed.refusals()).isZero();
        // The broker held most of the burst while the workers went at their pace.
        assertThat(absorbed.peakBacklog()).isGreaterThan(1_000);

        SurgeBuffer.Run refused = result.refused();
        assertThat(refused.stored()).isEqualTo(2_000);
        assertThat(refused.matched()).isEqualTo(2_000);
        assertThat(refused.duplicates()).isZero();
        assertThat(refused.refusals()).isPositive();
        // Never more than the limit per partition (4 partitions), measured from the group's committed offsets.
        assertThat(refused.peakBacklog()).isLessThanOrEqualTo(4 * 100);

        // Either way the workers set the pace: 500 a second together, not faster.
        for (SurgeBuffer.Run run : new SurgeBuffer.Run[] {absorbed, refused}) {
            assertThat(run.elapsed()).isGreaterThan(Duration.ofMillis(3_600));
            assertThat(run.matchedPerSecond()).isBetween(250.0, 550.0);
        }
    }
}
