package io.sluice.server.metrics;

import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.server.storage.RocksStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The broker's meter registry and what feeds it beyond the services' own meters: the {@code sluice.}
 * prefix on every meter, the JVM and process binders, gRPC server calls, RocksDB, and the Prometheus
 * endpoint with the gauges it refreshes before each scrape. Everything here is undone by {@link #close}.
 */
public final class BrokerMetrics implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BrokerMetrics.class);

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final List<Meter> storageMeters = new ArrayList<>();
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();
    private PrometheusEndpoint endpoint;

    private BrokerMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
        this.registry = registry;
        this.prometheus = prometheus;
        registry.config().meterFilter(new SluicePrefix());
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /**
     * Metrics into {@code given}; with {@code serve}, also into a Prometheus registry the endpoint scrapes
     * ({@code given} itself when it is one, otherwise both behind a composite).
     */
    public static BrokerMetrics create(MeterRegistry given, boolean serve) {
        if (!serve) {
            return new BrokerMetrics(given, null);
        }
        if (given instanceof PrometheusMeterRegistry prometheus) {
            return new BrokerMetrics(given, prometheus);
        }
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CompositeMeterRegistry both = new CompositeMeterRegistry();
        both.add(given);
        both.add(prometheus);
        return new BrokerMetrics(both, prometheus);
    }

    /** A registry for a broker that nobody gave one: the endpoint's own when it serves metrics. */
    public static MeterRegistry defaultRegistry(boolean serve) {
        return serve ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
                : new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    }

    /** The registry every broker meter goes to. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Counts gRPC server calls, their durations and statuses ({@code sluice.grpc.server.*}). */
    public ServerInterceptor grpcInterceptor() {
        return new MetricCollectingServerInterceptor(registry);
    }

    /** RocksDB's meters, and the free space of the data directory's disk. */
    public void bindStorage(RocksStore store, Path dataDir) {
        storageMeters.addAll(StorageMeters.register(registry, store));
        new DiskSpaceMetrics(dataDir.toAbsolutePath().toFile()).bindTo(registry);
    }

    /** Runs {@code refresh} before each scrape (gauges over things that come and go, computed on demand). */
    public void beforeScrape(Runnable refresh) {
        beforeScrape.add(refresh);
    }

    /** Serves {@code /metrics} on {@code host:port}; returns the port bound. Only when created to serve. */
    public int serve(String host, int port) {
        if (prometheus == null) {
            throw new IllegalStateException("metrics were created without an endpoint");
        }
        endpoint = PrometheusEndpoint.start(host, port, prometheus, this::refresh);
        return endpoint.port();
    }

    /** Runs every refresh; one that fails (the broker is stopping) leaves its rows as they were, not the scrape failed. */
    private void refresh() {
        for (Runnable refresh : beforeScrape) {
            try {
                refresh.run();
            } catch (RuntimeException e) {
                log.warn("Refreshing meters before a scrape failed: {}", e.toString());
            }
        }
    }

    /** The endpoint's port, or 0 when there is none. */
    public int port() {
        return endpoint == null ? 0 : endpoint.port();
    }

    /** Stops the endpoint and removes the meters that read broker state (storage), which goes away now. */
    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
        }
        gc.close();
        storageMeters.forEach(registry::remove);
    }
}
