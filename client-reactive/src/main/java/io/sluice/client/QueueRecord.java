package io.sluice.client;

import io.sluice.proto.v1.OutcomeType;
import io.sluice.proto.v1.RecordOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * A record a queue handed to this worker, locked to it until it is settled or its lock lapses.
 *
 * <p>Settle it once with {@link #ack()}, {@link #nack()}, or {@link #reject(String)}; {@link #extend(Duration)}
 * renews the lock meanwhile. Each of these is sent at once, whether or not the returned {@code Mono} is
 * subscribed to; the Mono completes when the broker applied it (stored it, for the settling ones), and fails
 * with {@link LockLostException} if this worker no longer holds the record, or with
 * {@link BrokerUnavailableException} if the stream broke first (the record may then be delivered again).
 */
public final class QueueRecord<K, V> {
    /** What any read record has (topic, offset, key, value, ...); it has no group acknowledgement. */
    private final ReceivedRecord<K, V> record;
    private final int deliveryCount;
    private final String lastFailure;
    private final Duration lockTimeout;
    private final Function<RecordOutcome, Mono<Void>> outcomes;

    QueueRecord(ReceivedRecord<K, V> record, int deliveryCount, String lastFailure, Duration lockTimeout,
                Function<RecordOutcome, Mono<Void>> outcomes) {
        this.record = record;
        this.deliveryCount = deliveryCount;
        this.lastFailure = lastFailure;
        this.lockTimeout = lockTimeout;
        this.outcomes = outcomes;
    }

    /** Processed: the record leaves the queue and is never delivered again. */
    public Mono<Void> ack() {
        return send(outcome(OutcomeType.OUTCOME_TYPE_ACK));
    }

    /** Failed: deliver it again after the queue's backoff (or dead-letter it after its last attempt). */
    public Mono<Void> nack() {
        return nack(null, "");
    }

    /** Failed: deliver it again after {@code delay} (zero: as soon as a worker has credit). */
    public Mono<Void> nack(Duration delay) {
        return nack(Objects.requireNonNull(delay, "delay"), "");
    }

    /**
     * Failed, with why (shown in the next delivery's {@link #lastFailure()} and in a dead letter): deliver it
     * again after {@code delay}, or after the queue's backoff when {@code delay} is null.
     */
    public Mono<Void> nack(Duration delay, String reason) {
        RecordOutcome.Builder nack = outcome(OutcomeType.OUTCOME_TYPE_NACK).setReason(Objects.requireNonNull(reason, "reason"));
        if (delay != null) {
            nack.setDelayMs(delay.toMillis());
        }
        return send(nack);
    }

    /** Poison: move it to the dead-letter topic now, with this reason. */
    public Mono<Void> reject(String reason) {
        return send(outcome(OutcomeType.OUTCOME_TYPE_REJECT).setReason(Objects.requireNonNull(reason, "reason")));
    }

    /** Still processing: keep the lock for {@code duration} from now. */
    public Mono<Void> extend(Duration duration) {
        return send(outcome(OutcomeType.OUTCOME_TYPE_EXTEND).setDelayMs(duration.toMillis()));
    }

    private RecordOutcome.Builder outcome(OutcomeType type) {
        return RecordOutcome.newBuilder().setTopic(record.topic()).setPartition(record.partition()).setOffset(record.offset())
                .setType(type);
    }

    private Mono<Void> send(RecordOutcome.Builder outcome) {
        return outcomes.apply(outcome.build());
    }

    /** 1 on the first delivery, one more for each redelivery. */
    public int deliveryCount() {
        return deliveryCount;
    }

    /** Why the previous delivery failed (a nack's reason, a lapsed lock, a closed stream); empty on the first. */
    public String lastFailure() {
        return lastFailure;
    }

    /** How long the lock lasts from the delivery. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    public String topic() {
        return record.topic();
    }

    public int partition() {
        return record.partition();
    }

    public long offset() {
        return record.offset();
    }

    public K key() {
        return record.key();
    }

    public V value() {
        return record.value();
    }

    public List<Header> headers() {
        return record.headers();
    }

    public long timestampMs() {
        return record.timestampMs();
    }

    public Instant timestamp() {
        return record.timestamp();
    }

    public TopicPartition topicPartition() {
        return record.topicPartition();
    }

    @Override
    public String toString() {
        return "QueueRecord[topic=" + record.topic() + ", partition=" + record.partition() + ", offset=" + record.offset()
                + ", key=" + record.key() + ", value=" + record.value() + ", deliveryCount=" + deliveryCount + "]";
    }
}
