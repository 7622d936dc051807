package io.sluice.server.consume;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.server.error.SluiceException;
import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.Topic;
import io.sluice.server.quota.ByteRateQuotas;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/** Opens consume sessions and keeps track of them, so that shutdown can end them cleanly. */
public final class ConsumeService {
    private final LogManager logs;
    private final Scheduler readScheduler;
    private final boolean autoCreateTopics;
    private final int defaultPartitions;
    private final MeterRegistry meters;
    private final Set<ConsumeSession> sessions = ConcurrentHashMap.newKeySet();
    private final ByteRateQuotas quotas;
    final CreditLedger.Meters creditMeters;
    final Counter quotaWaits;

    final GroupCoordinator groups;
    final Duration defaultSessionTimeout;

    /**
     * @param quotas                the consume byte-rate quotas, or null for none
     * @param defaultSessionTimeout a group member's session timeout when its Subscribe names none
     */
    public ConsumeService(LogManager logs, Scheduler readScheduler, boolean autoCreateTopics, int defaultPartitions,
                          MeterRegistry meters, ByteRateQuotas quotas, GroupCoordinator groups,
                          Duration defaultSessionTimeout) {
        this.quotas = quotas;
        this.groups = groups;
        this.defaultSessionTimeout = defaultSessionTimeout;
        this.creditMeters = new CreditLedger.Meters(
                Counter.builder("sluice.consumer.credit.granted.records")
                        .description("Records of credit granted by consumers").register(meters),
                Counter.builder("sluice.consumer.credit.granted.bytes").baseUnit("bytes")
                        .description("Bytes of credit granted by consumers").register(meters),
                DistributionSummary.builder("sluice.consumer.credit.ahead.records")
                        .description("At each batch sent: records a session has been sent beyond the records it granted "
                                + "(0 while within credit)").register(meters),
                DistributionSummary.builder("sluice.consumer.credit.ahead.bytes").baseUnit("bytes")
                        .description("At each batch sent: bytes a session has been sent beyond the bytes it granted "
                                + "(a lone record larger than the byte credit)").register(meters));
        this.quotaWaits = Counter.builder("sluice.consumer.quota.waits")
                .description("Times a consume session stopped sending because a consume quota was in debt").register(meters);
        this.logs = logs;
        this.readScheduler = readScheduler;
        this.autoCreateTopics = autoCreateTopics;
        this.defaultPartitions = defaultPartitions;
        this.meters = meters;
    }

    public Flux<ConsumeResponse> consume(Flux<ConsumeRequest> requests) {
        return consume(requests, "");
    }

    /** One Consume stream of the client {@code clientId} (its quota applies). */
    public Flux<ConsumeResponse> consume(Flux<ConsumeRequest> requests, String clientId) {
        return Flux.defer(() -> new ConsumeSession(this, readScheduler, clientId).run(requests));
    }

    /** The consume quotas of reading {@code topic} as {@code clientId}. */
    io.sluice.server.quota.RateLimits quotas(String topic, String clientId) {
        return quotas == null ? io.sluice.server.quota.RateLimits.NONE : quotas.of(topic, clientId);
    }

    /** Called on a storage read thread, where creating a topic may block. */
    Topic topic(String name) {
        return autoCreateTopics ? logs.getOrCreate(name, defaultPartitions) : logs.topic(name);
    }

    /** The group's committed offset for the partition, or null if it never committed one. */
    Long committed(String group, io.sluice.server.log.TopicPartition partition) {
        return logs.offsets().committed(group, partition);
    }

    Counter recordsSent(String topic) {
        return Counter.builder("sluice.consumer.records.sent").tag("topic", topic)
                .description("Records sent to consumers").register(meters);
    }

    Counter bytesSent(String topic) {
        return Counter.builder("sluice.consumer.bytes.sent").tag("topic", topic).baseUnit("bytes")
                .description("Record payload bytes sent to consumers").register(meters);
    }

    void register(ConsumeSession session) {
        sessions.add(session);
    }

    void unregister(ConsumeSession session) {
        sessions.remove(session);
    }


    /** Per topic: how old records are when sent (see {@link #delivered}). */
    private final java.util.Map<String, io.micrometer.core.instrument.Timer> deliveryAge = new ConcurrentHashMap<>();

    /**
     * Records the end-to-end age of a batch as it is sent: now minus its newest record's timestamp (the
     * append time for records without one). One map lookup per batch, nothing per record.
     */
    void delivered(String topic, io.sluice.proto.v1.RecordBatch batch) {
        long stamped = batch.getMaxTimestampMs() > 0 ? batch.getMaxTimestampMs() : batch.getAppendTimeMs();
        if (stamped <= 0) {
            return;
        }
        deliveryAge.computeIfAbsent(topic, t -> io.micrometer.core.instrument.Timer.builder("sluice.consumer.delivery.age")
                        .tag("topic", t)
                        .description("End-to-end age at delivery: when a batch is sent, now minus its newest record's "
                                + "timestamp (producer time if set, else append time)")
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(Duration.ofHours(1))
                        .register(meters))
                .record(Math.max(0, System.currentTimeMillis() - stamped), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Ends every open stream with UNAVAILABLE, so clients reconnect elsewhere or later. */
    public void closeAll() {
        SluiceException reason = new SluiceException(ErrorCode.BROKER_UNAVAILABLE, "The broker is shutting down");
        sessions.forEach(s -> s.abort(reason));
    }
}
