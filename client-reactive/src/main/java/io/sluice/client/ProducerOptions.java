package io.sluice.client;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Producer settings, immutable: each setter returns a copy.
 *
 * @param linger      how long a record may wait for others to fill its batch (Kafka's linger.ms)
 * @param batchBytes  the largest batch sent for one partition, in encoded bytes; a batch goes out as soon
 *                    as one partition's records reach it (a single larger record makes a batch of its own)
 * @param maxInFlight batches sent and not yet acknowledged, per {@code send} call
 * @param onCreditExhausted what happens to a batch when the broker's credit is used up (WAIT by default)
 * @param onDrop      told of every batch dropped with {@link CreditExhausted#DROP}
 * @param compression codec applied to each batch (NONE by default); the broker stores and serves it as is
 * @param idempotence  whether batches carry a producer id and per-partition sequence, so that the broker
 *                     appends each once however often it is resent (true by default; ignored with
 *                     {@link Acks#NONE}, where nothing is acknowledged and so nothing is resent)
 * @param deliveryTimeout with idempotence: how long after a batch is formed its resends may go on before
 *                     the send fails (120 s by default)
 */
public record ProducerOptions<K, V>(Serializer<K> keySerializer, Serializer<V> valueSerializer, Duration linger,
                                    int batchBytes, int maxInFlight, Acks acks, Partitioner partitioner,
                                    CreditExhausted onCreditExhausted, Consumer<DroppedBatch> onDrop,
                                    BatchCompression compression, boolean idempotence, Duration deliveryTimeout) {
    public ProducerOptions {
        Objects.requireNonNull(keySerializer, "keySerializer");
        Objects.requireNonNull(valueSerializer, "valueSerializer");
        Objects.requireNonNull(acks, "acks");
        Objects.requireNonNull(partitioner, "partitioner");
        Objects.requireNonNull(onCreditExhausted, "onCreditExhausted");
        Objects.requireNonNull(onDrop, "onDrop");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(deliveryTimeout, "deliveryTimeout");
        if (deliveryTimeout.isNegative() || deliveryTimeout.isZero()) {
            throw new IllegalArgumentException("deliveryTimeout must be positive, got " + deliveryTimeout);
        }
        if (linger.isNegative() || linger.isZero()) {
            throw new IllegalArgumentException("linger must be positive, got " + linger);
        }
        if (batchBytes < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("batchBytes and maxInFlight must be >= 1");
        }
    }

    public static <K, V> ProducerOptions<K, V> of(Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        return new ProducerOptions<>(keySerializer, valueSerializer, Duration.ofMillis(5), 256 * 1024, 16, Acks.LEADER,
                Partitioner.kafkaDefault(), CreditExhausted.WAIT, dropped -> { }, BatchCompression.NONE,
                true, Duration.ofSeconds(120));
    }

    public static ProducerOptions<String, String> strings() {
        return of(Serializers.string(), Serializers.string());
    }

    public static ProducerOptions<byte[], byte[]> bytes() {
        return of(Serializers.bytes(), Serializers.bytes());
    }

    public ProducerOptions<K, V> linger(Duration linger) {
        return new ProducerOptions<>(keySerializer, valueSerializer, linger, batchBytes, maxInFlight, acks, partitioner, onCreditExhausted, onDrop, compression, idempotence, deliveryTimeout);
    }

    public ProducerOptions<K, V> batchBytes(int batchBytes) {
        return new ProducerOptions<>(keySerializer, valueSerializer, linger, batchBytes, maxInFlight, acks, partitioner, onCreditExhausted, onDrop, compression, idempotence, deliveryTimeout);
    }

    public ProducerOptions<K, V> maxInFlight(int maxInFlight) {
        return new ProducerOptions<>(keySerializer, valueSerializer, linger, batchBytes, maxInFlight, acks, partitioner, onCreditExhausted, onDrop, compression, idempotence, deliveryTimeout);
    }

    public ProducerOptions<K, V> acks(Acks acks) {
        return new ProducerOptions<>(keySerializer, valueSerializer, linger, batchBytes, maxInFlight, acks, partitioner, onCreditExhausted, onDrop, compression, idempotence, deliveryTimeout);
    }

    public ProducerOptions<K, V> partitioner(Partitioner partitioner) {
        return new ProducerOptions<>(keySerializer, valueSerializer, linger, batchBytes, maxInFlight, acks, partitioner, onCreditExhausted, onDrop, compression, idempotence, deliveryTimeout);
    }

    /** What to do with a batch when credit is exhausted; {@code onDrop} hears of batches dropped with DROP. */
    public ProducerOptions<K, V> onCreditExhausted(CreditExhausted policy, Consumer<DroppedBatch> onDrop) {
        return new ProducerOptions<>(keySerializer, valueSerializer, linger, batchBytes, maxInFlight, acks, partitioner,
                policy, onDrop, compression, idempotence, deliveryTimeout);
    }

    /** The codec for every batch: the broker validates it uncompressed and stores it compressed. */
    public ProducerOptions<K, V> compression(BatchCompression compression) {
        return new ProducerOptions<>(keySerializer, valueSerializer, linger, batchBytes, maxInFlight, acks, partitioner,
                onCreditExhausted, onDrop, compression, idempotence, deliveryTimeout);
    }

    /** Whether the broker deduplicates this producer's resent batches (true by default). */
    public ProducerOptions<K, V> idempotence(boolean idempotence) {
        return new ProducerOptions<>(keySerializer, valueSerializer, linger, batchBytes, maxInFlight, acks, partitioner,
                onCreditExhausted, onDrop, compression, idempotence, deliveryTimeout);
    }

    /** With idempotence: how long a batch may take, from formed to acknowledged, resends included. */
    public ProducerOptions<K, V> deliveryTimeout(Duration deliveryTimeout) {
        return new ProducerOptions<>(keySerializer, valueSerializer, linger, batchBytes, maxInFlight, acks, partitioner,
                onCreditExhausted, onDrop, compression, idempotence, deliveryTimeout);
    }

    /** Whether batches are sent idempotently: asked for, and acknowledged (else there is nothing to resend). */
    boolean idempotent() {
        return idempotence && acks != Acks.NONE;
    }
}
