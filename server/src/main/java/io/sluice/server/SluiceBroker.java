package io.sluice.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.proto.v1.BrokerInfo;
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
    private final Server server;
    private boolean closed;

    private SluiceBroker(BrokerConfig config, MeterRegistry meters, Clock clock) throws IOException {
        this.config = config;
        this.meters = meters;
        this.store = RocksStore.open(config.dataDir(), config.storageMemory());
        this.writer = new GroupCommitWriter(store);
        this.logs = new LogManager(store, writer, config.maxPartitions(), clock);
        this.cleaner = new LogCleaner(logs, clock, config.logCleanerInterval());
        this.readScheduler = Schedulers.newParallel("sluice-read", config.storageReadThreads(), true);
        this.metadataScheduler = Schedulers.newBoundedElastic(4, 10_000, "sluice-meta", 60, true);
        QuotaBuckets quotas = new QuotaBuckets(System::nanoTime);
        this.groups = new GroupCoordinator(logs);
        this.consumers = new ConsumeService(logs, readScheduler, config.autoCreateTopics(), config.defaultPartitions(), meters,
                new ByteRateQuotas(ByteRateQuotas.Direction.CONSUME, quotas, logs, config.quotaConsumerByteRatePerClient()),
                groups, config.groupSessionTimeout());
        this.queues = new QueueService(logs, readScheduler, metadataScheduler, clock, meters, config.autoCreateTopics(),
                config.defaultPartitions());
        // Storage properties take RocksDB's mutex: sampled on the metadata scheduler, never on gRPC threads.
        this.storagePressure = new StoragePressureMonitor(store::stats, config.produceThrottleRecheck(), metadataScheduler);
        BacklogLimiter backlog = new BacklogLimiter(logs, new Backlog(logs.offsets()), config.produceThrottleRecheck(),
                Schedulers.parallel());
        ProduceHandler handler = new ProduceHandler(logs, config.autoCreateTopics(), config.defaultPartitions(),
                metadataScheduler, backlog);
        CreditPolicy credit = new CreditPolicy(new CreditWindow(config.produceCreditRecords(), config.produceCreditBytes()),
                storagePressure::current);
        ProduceService produce = new ProduceService(handler, backlog, credit, logs, config.produceMaxInFlight(),
                config.produceThrottleRecheck(), Schedulers.parallel(), meters,
                new ByteRateQuotas(ByteRateQuotas.Direction.PRODUCE, quotas, logs, config.quotaProducerByteRatePerClient()));
        health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
        Server built = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
                // Every handler only enqueues work or runs short CPU work: no need for a thread hop.
                .directExecutor()
                .maxInboundMessageSize(config.maxInboundMessageBytes())
                .intercept(new ClientIds())
                .addService(new ProducerGrpcService(produce, config.produceMaxInFlight()))
                .addService(new ConsumerGrpcService(consumers, queues))
                .addService(new QueueAdminGrpcService(queues, metadataScheduler))
                .addService(new AdminGrpcService(logs, metadataScheduler, this::brokerInfo,
                        new AdminGrpcService.AutoCreate(config.autoCreateTopics(), config.defaultPartitions()),
                        new ProducerIds(store, writer), groups))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .build();
        this.server = built.start();
        health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    }

    /** Starts a broker with the given settings; it listens once this returns. */
    public static SluiceBroker start(BrokerConfig config) {
        return start(config, new SimpleMeterRegistry());
    }

    public static SluiceBroker start(BrokerConfig config, MeterRegistry meters) {
        return start(config, meters, Clock.systemUTC());
    }

    /**
     * A broker whose appends are stamped, and retention judged, by {@code clock} (tests move time forward
     * with it instead of waiting).
     */
    public static SluiceBroker start(BrokerConfig config, MeterRegistry meters, Clock clock) {
        try {
            SluiceBroker broker = new SluiceBroker(config, meters, clock);
            log.info("Sluice broker listening on {}:{} (data in {})", config.host(), broker.port(),
                    config.dataDir().toAbsolutePath());
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the broker on " + config.host() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
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
     * Stops in order: refuse new calls, end consume streams, commit and acknowledge every queued append,
     * close the remaining streams, then close storage.
     */
    @Override
    public synchronized void close() {
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
                server.awaitTermination(config.shutdownTimeoutMs(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        storagePressure.close();
        readScheduler.dispose();
        metadataScheduler.dispose();
        store.close();
        log.info("Sluice broker stopped");
    }
}
