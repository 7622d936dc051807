package io.sluice.server.produce;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ThrottleReason;
import io.sluice.server.log.LogManager;
import java.time.Duration;
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
    private final MeterRegistry meters;

    public ProduceService(ProduceHandler handler, BacklogLimiter backlog, CreditPolicy credit, LogManager logs,
                          int maxInFlight, Duration recheck, Scheduler timer, MeterRegistry meters) {
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
    }

    /** One Produce stream: responses in request order, plus credit messages if the stream asked for credit. */
    public Flux<ProduceResponse> produce(Flux<ProduceRequest> requests) {
        return Flux.defer(() -> new ProduceSession(this).run(requests));
    }

    void throttled(ThrottleReason reason) {
        Counter.builder("sluice.produce.credit.throttled").tag("reason", reason.name())
                .description("Credit messages that granted less than the window, by reason").register(meters).increment();
    }
}
