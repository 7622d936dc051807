package io.sluice.server.metrics;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the open streaming calls by kind ({@code sluice.streams.active}: producer, consumer, ...; the
 * service's name without "Service") and, once the broker drains, refuses new streams of the Sluice
 * services with UNAVAILABLE, while unary calls (health checks, admin) are still answered.
 */
public final class ActiveStreams implements ServerInterceptor {
    public static final String METER = "sluice.streams.active";

    private final MeterRegistry meters;
    private final Map<String, AtomicLong> open = new ConcurrentHashMap<>();
    private volatile boolean refusing;

    public ActiveStreams(MeterRegistry meters) {
        this.meters = meters;
        counter("producer");
        counter("consumer");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        MethodDescriptor<Q, R> method = call.getMethodDescriptor();
        if (method.getType() == MethodDescriptor.MethodType.UNARY) {
            return next.startCall(call, headers);
        }
        String service = method.getServiceName() == null ? "" : method.getServiceName();
        if (refusing && service.startsWith("sluice.")) {
            call.close(Status.UNAVAILABLE.withDescription("BROKER_UNAVAILABLE: The broker is shutting down and accepts no "
                    + "new stream; connect to another broker or retry later"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        AtomicLong count = counter(kind(service));
        count.incrementAndGet();
        AtomicBoolean ended = new AtomicBoolean();
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                count.decrementAndGet();
            }
        };
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(call, headers);
        } catch (RuntimeException e) {
            end.run();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onComplete() {
                end.run();
                super.onComplete();
            }

            @Override
            public void onCancel() {
                end.run();
                super.onCancel();
            }
        };
    }

    /** {@code sluice.v1.ProducerService} is "producer", {@code grpc.health.v1.Health} is "health". */
    static String kind(String service) {
        String simple = service.substring(service.lastIndexOf('.') + 1);
        if (simple.endsWith("Service") && simple.length() > "Service".length()) {
            simple = simple.substring(0, simple.length() - "Service".length());
        }
        return simple.toLowerCase(Locale.ROOT);
    }

    private AtomicLong counter(String kind) {
        return open.computeIfAbsent(kind, k -> {
            AtomicLong count = new AtomicLong();
            Gauge.builder(METER, count, AtomicLong::get).tag("kind", k)
                    .description("Open streaming calls, by kind (the gRPC service: producer, consumer, ...)")
                    .register(meters);
            return count;
        });
    }

    /** From now on, new streams of the Sluice services fail with UNAVAILABLE. */
    public void refuseNewStreams() {
        refusing = true;
    }

    /** Open streams by kind, sorted; kinds seen since start with none open are listed with 0. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        open.forEach((kind, count) -> out.put(kind, count.get()));
        return out;
    }
}
