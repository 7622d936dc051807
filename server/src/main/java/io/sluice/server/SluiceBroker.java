package io.sluice.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.proto.v1.BrokerInfo;
import io.sluice.proto.v1.GetBrokerStatusResponse;
import io.sluice.server.api.AdminGrpcService;
import io.sluice.server.api.ClientIds;
import io.sluice.server.api.ConsumerGrpcService;
import io.sluice.server.api.ProducerGrpcService;
import io.sluice.server.api.QueueAdminGrpcService;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.consume.ConsumeService;
import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.log.LogCleaner;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.ProducerIds;
import io.sluice.server.log.Backlog;
import io.sluice.server.metrics.ActiveStreams;
import io.sluice.server.metrics.BrokerMetrics;
import io.sluice.server.metrics.LogMeters;
import io.sluice.server.metrics.ProduceMeters;
import io.sluice.server.metrics.QueueMeters;
import io.sluice.server.ops.BrokerStatus;
import io.sluice.server.produce.BacklogLimiter;
import io.sluice.server.produce.CreditPolicy;
import io.sluice.server.produce.CreditWindow;
import io.sluice.server.produce.ProduceHandler;
import io.sluice.server.produce.ProduceService;
import io.sluice.server.produce.StoragePressureMonitor;
import io.sluice.server.queue.QueueService;
import io.sluice.server.quota.ByteRateQuotas;
import io.sluice.server.quota.QuotaBuckets;
import io.sluice.server.storage.GroupCommitWriter;
import io.sluice.server.storage.RocksStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** A running single-node broker: storage, logs, services and the gRPC server, started and stopped as one. */
public final class SluiceBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceBroker.class);

    private final BrokerConfig config;
    private final MeterRegistry meters;
    private final RocksStore store;
    private final GroupCommitWriter writer;
    private final LogManager logs;
    private final LogCleaner cleaner;
    private final Scheduler readScheduler;
    private final Scheduler metadataScheduler;
    private final ConsumeService consumers;
    private final QueueService queues;
    private final GroupCoordinator groups;
    private final StoragePressureMonitor storagePressure;
    private final HealthStatusManager health = new HealthStatusManager();
    private final BrokerMetrics metrics;
    private final LogMeters logMeters;
    private final QueueMeters queueMeters;
    private final ActiveStreams streams;
    private final ProduceService produce;
    private final Server server;
    private final BrokerStatus status;
    /** Written under the lock, read without (status requests during the drain must not wait for it). */
    private volatile boolean draining;
    private boolean closed;

    private SluiceBroker(BrokerConfig config, MeterRegistry given, Clock clock) {
        this.config = config;
        this.store = RocksStore.open(config.dataDir(), config.storageMemory());
        this.metrics = BrokerMetrics.create(given, config.metricsPort() != 0);
        this.meters = metrics.registry();
        metrics.bindStorage(store, config.dataDir());
        this.streams = new ActiveStreams(meters);
        this.writer = new GroupCommitWriter(store);
        this.logs = new LogManager(store, writer, config.maxPartitions(), clock);
        // Uptime by the real clock, whatever clock appends are stamped with.
        this.status = new BrokerStatus(this::brokerInfo, logs, streams::snapshot, this::draining, config.dataDir(),
                Clock.systemUTC());
        this.cleaner = new LogCleaner(logs, clock, config.logCleanerInterval());
        this.logMeters = new LogMeters(meters, logs, logs.offsets()::groups, config.metricsPartitionLimit());
        metrics.beforeScrape(logMeters::refresh);
        this.readScheduler = Schedulers.newParallel("sluice-read", config.storageReadThreads(), true);
        this.metadataScheduler = Schedulers.newBoundedElastic(4, 10_000, "sluice-meta", 60, true);
        QuotaBuckets quotas = new QuotaBuckets(System::nanoTime);
        this.groups = new GroupCoordinator(logs);
        this.consumers = new ConsumeService(logs, readScheduler, config.autoCreateTopics(), config.defaultPartitions(), meters,
                new ByteRateQuotas(ByteRateQuotas.Direction.CONSUME, quotas, logs, config.quotaConsumerByteRatePerClient()),
                groups, config.groupSessionTimeout());
        this.queues = new QueueService(logs, readScheduler, metadataScheduler, clock, meters, config.autoCreateTopics(),
                config.defaultPartitions());
        this.queueMeters = new QueueMeters(meters, queues::list);
        metrics.beforeScrape(queueMeters::refresh);
        // Storage properties take RocksDB's mutex: sampled on the metadata scheduler, never on gRPC threads.
        this.storagePressure = new StoragePressureMonitor(store::stats, config.produceThrottleRecheck(), metadataScheduler);
        BacklogLimiter backlog = new BacklogLimiter(logs, new Backlog(logs.offsets()), config.produceThrottleRecheck(),
                Schedulers.parallel());
        ProduceHandler handler = new ProduceHandler(logs, config.autoCreateTopics(), config.defaultPartitions(),
                metadataScheduler, backlog, new ProduceMeters(meters));
        CreditPolicy credit = new CreditPolicy(new CreditWindow(config.produceCreditRecords(), config.produceCreditBytes()),
                storagePressure::current);
        this.produce = new ProduceService(handler, backlog, credit, logs, config.produceMaxInFlight(),
                config.produceThrottleRecheck(), Schedulers.parallel(), meters,
                new ByteRateQuotas(ByteRateQuotas.Direction.PRODUCE, quotas, logs, config.quotaProducerByteRatePerClient()));
        health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
                // Every handler only enqueues work or runs short CPU work: no need for a thread hop.
                .directExecutor()
                .maxInboundMessageSize(config.maxInboundMessageBytes())
                .intercept(new ClientIds())
                .intercept(streams)
                .intercept(metrics.grpcInterceptor())
                .addService(new ProducerGrpcService(produce, config.produceMaxInFlight()))
                .addService(new ConsumerGrpcService(consumers, queues))
                .addService(new QueueAdminGrpcService(queues, metadataScheduler))
                .addService(new AdminGrpcService(logs, metadataScheduler, this::brokerInfo,
                        new AdminGrpcService.AutoCreate(config.autoCreateTopics(), config.defaultPartitions()),
                        new ProducerIds(store, writer), groups).statusFrom(this::status))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .build();
    }

    /** Opens the metrics endpoint and the gRPC port; then, and only then, health says SERVING. */
    private void listen() throws IOException {
        if (config.metricsPort() != 0) {
            int port = metrics.serve(config.host(), config.metricsPort());
            log.info("Metrics on http://{}:{}/metrics", config.host(), port);
        }
        server.start();
        health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    }

    /** Starts a broker with the given settings; it listens once this returns. */
    public static SluiceBroker start(BrokerConfig config) {
        return start(config, BrokerMetrics.defaultRegistry(config.metricsPort() != 0));
    }

    public static SluiceBroker start(BrokerConfig config, MeterRegistry meters) {
        return start(config, meters, Clock.systemUTC());
    }

    /**
     * A broker whose appends are stamped, and retention judged, by {@code clock} (tests move time forward
     * with it instead of waiting).
     */
    public static SluiceBroker start(BrokerConfig config, MeterRegistry meters, Clock clock) {
        log.info("Effective configuration: {}", config.describe());
        SluiceBroker broker = new SluiceBroker(config, meters, clock);
        try {
            broker.listen();
        } catch (IOException | RuntimeException e) {
            broker.close();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException("cannot start the broker on " + config.host() + ":" + config.port()
                    + ": " + e.getMessage(), (IOException) e);
        }
        log.info("Sluice broker listening on {}:{} (data in {})", config.host(), broker.port(),
                config.dataDir().toAbsolutePath());
        return broker;
    }

    /** What GetBrokerStatus answers (and `sluice status` prints). Blocking: it measures the data directory. */
    private GetBrokerStatusResponse status() {
        return status.now();
    }

    /** Whether a graceful shutdown began. */
    public boolean draining() {
        return draining;
    }

    /** The port of the Prometheus endpoint, or 0 when it is off. */
    public int metricsPort() {
        return metrics.port();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    /** This broker as metadata shows it, with the port actually bound. */
    private BrokerInfo brokerInfo() {
        return BrokerInfo.newBuilder().setId(config.brokerId()).setHost(config.host()).setPort(port()).build();
    }

    public String host() {
        return config.host();
    }

    public MeterRegistry meters() {
        return meters;
    }

    public LogManager logs() {
        return logs;
    }

    public GroupCoordinator groups() {
        return groups;
    }

    /** Waits until the gRPC server terminates. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /**
     * The first half of a graceful shutdown: health says NOT_SERVING, new streams are refused, producers are
     * told to stop (credit 0, reason SHUTTING_DOWN), and each produce stream ends once the batches it sent
     * are appended and answered. Waits for that up to shutdown.timeout.ms. Unary calls (health, admin) and
     * open consume streams are still served until {@link #close}. Idempotent.
     */
    public synchronized void drain() {
        if (draining) {
            return;
        }
        draining = true;
        log.info("Sluice broker draining: NOT_SERVING, no new stream, producers told to stop");
        health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
        streams.refuseNewStreams();
        try {
            produce.shutDown().get(config.shutdownTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("Produce streams still open after shutdown.timeout.ms={}: they are cut; their unanswered "
                    + "batches may or may not be stored", config.shutdownTimeoutMs());
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("Draining the produce streams failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops in order: {@link #drain} (answer what producers sent), end consume streams, commit and acknowledge
     * every queued write, close the remaining streams, sync the write-ahead log and close storage.
     */
    @Override
    public synchronized void close() {
        drain();
        if (closed) {
            return;
        }
        closed = true;
        log.info("Sluice broker shutting down");
        health.enterTerminalState();
        server.shutdown();
        consumers.closeAll();
        queues.closeAll(java.time.Duration.ofMillis(Math.min(config.shutdownTimeoutMs(), 5000)));
        groups.close();
        // The cleaner's compactions are cancelled and its pass ended before the writer and the store close.
        store.cancelManualWork();
        cleaner.close();
        writer.close();
        try {
            if (!server.awaitTermination(Math.min(config.shutdownTimeoutMs(), 1000), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        storagePressure.close();
        readScheduler.dispose();
        metadataScheduler.dispose();
        logMeters.close();
        queueMeters.close();
        metrics.close();
        store.close();
        log.info("Sluice broker stopped");
    }
}
