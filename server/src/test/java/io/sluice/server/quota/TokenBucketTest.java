package io.sluice.server.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final TokenBucket bucket = new TokenBucket(1_000_000, Duration.ofMillis(200), now::get);

    @Test
    void startsFullRefillsAtItsRateAndNeverBeyondItsBurst() {
        assertThat(bucket.level()).isEqualTo(200_000);
        bucket.take(150_000);
        assertThat(bucket.level()).isEqualTo(50_000);
        now.addAndGet(Duration.ofMillis(100).toNanos());
        assertThat(bucket.level()).isEqualTo(150_000);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(bucket.level()).isEqualTo(200_000);
    }

    @Test
    void goesIntoDebtAndSaysHowLongUntilRepaid() {
        bucket.take(700_000);
        assertThat(bucket.level()).isEqualTo(-500_000);
        assertThat(bucket.nanosUntil(0)).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(bucket.nanosUntil(10_000_000)).isEqualTo(Duration.ofMillis(700).toNanos()); // capped at the burst
        now.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(bucket.nanosUntil(0)).isZero();
    }

    @Test
    void aRateBelowOneByteASecondIsRefused() {
        assertThatThrownBy(() -> new TokenBucket(0, Duration.ofMillis(200), now::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 byte/s");
    }
}
