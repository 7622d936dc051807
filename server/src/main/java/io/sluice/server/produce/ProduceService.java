package io.sluice.server.produce;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ThrottleReason;
import io.sluice.server.log.LogManager;
import io.sluice.server.quota.ByteRateQuotas;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/** Opens one {@link ProduceSession} per Produce stream, with what the sessions share and the broker's produce meters. */
public final class ProduceService {
    final ProduceHandler handler;
    final BacklogLimiter backlog;
    final CreditPolicy credit;
    final LogManager logs;
    final int maxInFlight;
    final Duration recheck;
    final Scheduler timer;
    final Counter creditExceeded;
    final DistributionSummary inFlightRecords;
    final DistributionSummary inFlightBytes;
    final ByteRateQuotas quotas;
    final Counter grantedRecords;
    final Counter grantedBytes;
    final Counter usedRecords;
    final Counter usedBytes;
    /** Bytes granted to credit-aware streams and not yet used, over all open streams. */
    final AtomicLong outstandingBytes = new AtomicLong();
    final Timer starved;
    final Timer quotaWait;
    private final MeterRegistry meters;
    private final Set<ProduceSession> sessions = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean shuttingDown;

    public ProduceService(ProduceHandler handler, BacklogLimiter backlog, CreditPolicy credit, LogManager logs,
                          int maxInFlight, Duration recheck, Scheduler timer, MeterRegistry meters) {
        this(handler, backlog, credit, logs, maxInFlight, recheck, timer, meters, null);
    }

    /** @param quotas the byte-rate quotas, or null for none */
    public ProduceService(ProduceHandler handler, BacklogLimiter backlog, CreditPolicy credit, LogManager logs,
                          int maxInFlight, Duration recheck, Scheduler timer, MeterRegistry meters, ByteRateQuotas quotas) {
        this.quotas = quotas;
        this.handler = handler;
        this.backlog = backlog;
        this.credit = credit;
        this.logs = logs;
        this.maxInFlight = maxInFlight;
        this.recheck = recheck;
        this.timer = timer;
        this.meters = meters;
        this.creditExceeded = Counter.builder("sluice.produce.credit.exceeded")
                .description("Batches refused because the stream sent beyond its credit").register(meters);
        this.inFlightRecords = DistributionSummary.builder("sluice.produce.credit.inflight.records")
                .description("Records a credit-aware stream had sent and not yet acknowledged, at each accepted batch")
                .register(meters);
        this.inFlightBytes = DistributionSummary.builder("sluice.produce.credit.inflight.bytes").baseUnit("bytes")
                .description("Bytes a credit-aware stream had sent and not yet acknowledged, at each accepted batch")
                .register(meters);
        this.grantedRecords = Counter.builder("sluice.produce.credit.granted.records")
                .description("Records of credit granted to credit-aware produce streams").register(meters);
        this.grantedBytes = Counter.builder("sluice.produce.credit.granted.bytes").baseUnit("bytes")
                .description("Bytes of credit granted to credit-aware produce streams").register(meters);
        this.usedRecords = Counter.builder("sluice.produce.credit.used.records")
                .description("Records of credit used by accepted batches of credit-aware streams").register(meters);
        this.usedBytes = Counter.builder("sluice.produce.credit.used.bytes").baseUnit("bytes")
                .description("Bytes of credit used by accepted batches of credit-aware streams").register(meters);
        Gauge.builder("sluice.produce.credit.outstanding.bytes", outstandingBytes, AtomicLong::get).baseUnit("bytes")
                .description("Bytes granted to open credit-aware streams and not yet used").register(meters);
        this.starved = Timer.builder("sluice.produce.credit.starved")
                .description("Periods a credit-aware stream had used up its credit, until the next grant").register(meters);
        this.quotaWait = Timer.builder("sluice.produce.quota.wait")
                .description("Time batches waited before being read because a produce quota was in debt "
                        + "(streams ignoring credit, or writing past the quota their credit was paced by)")
                .register(meters);
        // Every reason from the start, so that a throttle shows as a rise from 0, not as a new series.
        for (ThrottleReason reason : ThrottleReason.values()) {
            if (reason != ThrottleReason.THROTTLE_REASON_NONE && reason != ThrottleReason.UNRECOGNIZED) {
                throttledCounter(reason);
            }
        }
    }

    /** One Produce stream: responses in request order, plus credit messages if the stream asked for credit. */
    public Flux<ProduceResponse> produce(Flux<ProduceRequest> requests) {
        return produce(requests, "");
    }

    /** One Produce stream of the client {@code clientId} (its quota applies). */
    public Flux<ProduceResponse> produce(Flux<ProduceRequest> requests, String clientId) {
        return Flux.defer(() -> {
            ProduceSession session = new ProduceSession(this, clientId);
            sessions.add(session);
            if (shuttingDown) {
                // Opened while shutDown() went over the sessions: it ends at once, like the others.
                session.shutDown();
            }
            return session.run(requests).doFinally(signal -> {
                sessions.remove(session);
                completeIfDrained();
            });
        });
    }

    /**
     * Tells every open stream that the broker shuts down (see {@link ProduceSession#shutDown}). The future
     * completes once every stream has answered what it read and ended.
     */
    public CompletableFuture<Void> shutDown() {
        shuttingDown = true;
        sessions.forEach(ProduceSession::shutDown);
        completeIfDrained();
        return drained;
    }

    private void completeIfDrained() {
        if (shuttingDown && sessions.isEmpty()) {
            drained.complete(null);
        }
    }

    void throttled(ThrottleReason reason) {
        throttledCounter(reason).increment();
    }

    private Counter throttledCounter(ThrottleReason reason) {
        return Counter.builder("sluice.produce.credit.throttled").tag("reason", reason.name())
                .description("Credit messages that granted less than the window, by reason").register(meters);
    }
}
