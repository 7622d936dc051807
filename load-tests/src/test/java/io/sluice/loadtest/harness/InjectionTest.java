package io.sluice.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class InjectionTest {

    @Test
    void constant_rate_schedules_records_evenly() {
        Injection.Open open = Injection.constantRate(1000, Duration.ofSeconds(2));
        assertThat(open.totalRecords()).isEqualTo(2000);
        assertThat(open.timeOf(0)).isEqualTo(1_000_000L); // record 0 is due after 1 ms
        assertThat(open.timeOf(999)).isEqualTo(1_000_000_000L);
        assertThat(open.timeOf(2000)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void ramp_time_is_the_inverse_of_its_count() {
        Injection.Open ramp = Injection.ramp(100, 900, Duration.ofSeconds(10));
        assertThat(ramp.totalRecords()).isEqualTo(5000); // mean rate 500/s for 10 s
        for (long i : new long[] {0, 10, 1000, 4999}) {
            assertThat(ramp.countAt(ramp.timeOf(i))).isCloseTo(i + 1, within(0.01));
        }
    }

    @Test
    void spike_raises_the_rate_for_its_length_only() {
        Injection.Open spike = Injection.spike(100, 1000, Duration.ofSeconds(10), Duration.ofSeconds(4), Duration.ofSeconds(2));
        assertThat(spike.totalRecords()).isEqualTo(8 * 100 + 2 * 1000);
        assertThat(spike.countAt(Duration.ofSeconds(4).toNanos())).isCloseTo(400, within(0.01));
        assertThat(spike.countAt(Duration.ofSeconds(6).toNanos())).isCloseTo(2400, within(0.01));
    }

    @Test
    void zipf_keys_favour_the_first_ranks() {
        KeySource keys = KeySource.create(KeyDistribution.zipf(1000, 1.2), 8, 1);
        int hottest = 0;
        for (int i = 0; i < 10_000; i++) {
            if (keys.next() == 0) {
                hottest++;
            }
        }
        assertThat(hottest).isGreaterThan(1500); // ~23 % for rank 1; uniform would give ~10
        assertThat(KeySource.create(KeyDistribution.none(), 8, 1)).isNull();
    }
}
