package io.sluice.server.produce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.proto.v1.ProducerCredit;
import io.sluice.proto.v1.ThrottleReason;
import io.sluice.server.quota.RateLimits;
import io.sluice.server.quota.TokenBucket;
import io.sluice.server.storage.StorageStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Storage pressure and quotas shrink the credit a stream gets, with the reason and a wait estimate. */
class CreditPolicyTest {
    private static final CreditWindow WINDOW = new CreditWindow(1000, 1_000_000);
    private final AtomicReference<StorageStats> stats = new AtomicReference<>(StorageStats.idle());
    private final CreditPolicy policy = new CreditPolicy(WINDOW, () -> StoragePressure.from(stats.get()));

    @Test
    void idleStorageGrantsTheWholeWindow() {
        Throttle throttle = policy.now(null, "t-0");
        assertThat(throttle.throttled()).isFalse();
        assertThat(throttle.target()).isEqualTo(WINDOW);
        assertThat(new CreditAccount().topUp(throttle).getBytes()).isEqualTo(WINDOW.bytes());
    }

    @Test
    void stoppedWritesGrantNothingAndSayWhy() {
        stats.set(new StorageStats(true, 0, 0, 100, 200));
        Throttle throttle = policy.now(null, "t-0");
        assertThat(throttle.reason()).isEqualTo(ThrottleReason.STORAGE_PRESSURE);
        assertThat(throttle.target()).isEqualTo(new CreditWindow(0, 0));
        ProducerCredit notice = new CreditAccount().topUp(throttle);
        assertThat(notice.getRecords()).isZero();
        assertThat(notice.getBytes()).isZero();
        assertThat(notice.getReason()).isEqualTo(ThrottleReason.STORAGE_PRESSURE);
        assertThat(notice.getMessage()).contains("stopped writes");
    }

    @Test
    void delayedWritesGrantAQuarterWithAWaitFromTheDelayedRate() {
        stats.set(new StorageStats(false, 500_000, 0, 100, 200));
        Throttle throttle = policy.now(null, "t-0");
        assertThat(throttle.reason()).isEqualTo(ThrottleReason.STORAGE_PRESSURE);
        assertThat(throttle.target()).isEqualTo(new CreditWindow(250, 250_000));
        assertThat(throttle.expectedWaitMs()).isEqualTo(2000); // the window at 500 kB/s
    }

    @Test
    void pendingCompactionShrinksTheWindowInProportionDownToATenth() {
        stats.set(new StorageStats(false, 0, 175, 100, 200)); // 3/4 of the way from soft to hard
        assertThat(policy.now(null, "t-0").target()).isEqualTo(new CreditWindow(250, 250_000));
        stats.set(new StorageStats(false, 0, 199, 100, 200));
        assertThat(policy.now(null, "t-0").target()).isEqualTo(new CreditWindow(100, 100_000));
        stats.set(new StorageStats(false, 0, 99, 100, 200));
        assertThat(policy.now(null, "t-0").throttled()).isFalse();
    }

    @Test
    void aFullBacklogOverridesStoragePressureWithTheSmallerWindow() {
        stats.set(new StorageStats(false, 500_000, 0, 100, 200));
        Throttle throttle = policy.now(new CreditWindow(10, 1_000_000), "t-0");
        assertThat(throttle.reason()).isEqualTo(ThrottleReason.BACKLOG_FULL);
        assertThat(throttle.target()).isEqualTo(new CreditWindow(10, 250_000));
    }

    @Test
    void aQuotaCapsGrantsToItsBucketAndEstimatesTheWait() {
        AtomicLong now = new AtomicLong();
        TokenBucket bucket = new TokenBucket(100_000, Duration.ofMillis(200), now::get); // 20 kB burst
        RateLimits quota = new RateLimits(List.of(new RateLimits.Limit(bucket, "producer.byte.rate=100000 of topic 't'")));
        CreditAccount account = new CreditAccount();

        ProducerCredit first = account.topUp(policy.now(null, "t-0", quota));
        assertThat(first.getReason()).isEqualTo(ThrottleReason.QUOTA);
        assertThat(first.getBytes()).isEqualTo(20_000);
        assertThat(first.getMessage()).contains("producer.byte.rate=100000");

        // Sent and admitted: the bucket is empty, so no more credit, and the wait is a quarter burst at the rate.
        assertThat(account.tryAcquire(10, 20_000)).isTrue();
        bucket.take(20_000);
        Throttle empty = policy.now(null, "t-0", quota);
        assertThat(empty.grantCapBytes()).isZero();
        assertThat(empty.expectedWaitMs()).isEqualTo(50);
        // The stream was told QUOTA with its first grant: an empty bucket sends nothing more (no repeated notice).
        assertThat(account.release(10, 20_000, empty)).isNull();

        now.addAndGet(Duration.ofMillis(100).toNanos()); // 10 kB refilled
        assertThat(account.topUp(policy.now(null, "t-0", quota)).getBytes()).isEqualTo(10_000);
        // What the stream holds unused counts against the bucket: nothing more until it refills further.
        assertThat(account.topUp(policy.now(null, "t-0", quota))).isNull();
    }
}
