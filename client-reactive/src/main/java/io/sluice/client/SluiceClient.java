package io.sluice.client;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.sluice.proto.v1.ReactorAdminServiceGrpc;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import java.util.concurrent.TimeUnit;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The entry point: one gRPC channel to a broker, shared by the producers, consumers and admin it creates.
 * Nothing blocks except {@link #close()}.
 *
 * <pre>{@code
 * try (SluiceClient client = SluiceClient.connect("localhost:7070")) { ... }
 * }</pre>
 */
public final class SluiceClient implements AutoCloseable {
    /** Consume batches hold up to 1 MiB plus one record of up to max.message.bytes (64 MiB at most). */
    private static final int MAX_INBOUND_MESSAGE_BYTES = 80 << 20;

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /** The header naming the client to the broker, which keys its per-client quotas on it. */
    static final Metadata.Key<String> CLIENT_ID_HEADER = Metadata.Key.of("sluice-client-id", Metadata.ASCII_STRING_MARSHALLER);

    private final String bootstrap;
    private final String clientId;
    private final ManagedChannel channel;
    private final RetryPolicy retry;
    private final SluiceAdmin admin;
    private final MetadataCache metadata;
    private final Scheduler consumerScheduler;
    private final Set<ProduceStream> produceStreams = ConcurrentHashMap.newKeySet();
    private final Set<ConsumerSession<?, ?>> consumerSessions = ConcurrentHashMap.newKeySet();
    private final ClientMeters meters;

    private SluiceClient(Builder builder) {
        this.bootstrap = builder.bootstrap;
        this.retry = builder.retry;
        this.clientId = builder.clientId;
        this.meters = ClientMeters.of(builder.meters);
        Metadata headers = new Metadata();
        headers.put(CLIENT_ID_HEADER, clientId);
        this.channel = NettyChannelBuilder.forAddress(host(bootstrap), port(bootstrap))
                .usePlaintext()
                .intercept(MetadataUtils.newAttachHeadersInterceptor(headers))
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .build();
        this.admin = new SluiceAdmin(ReactorAdminServiceGrpc.newReactorStub(channel), retry);
        this.metadata = new MetadataCache(admin);
        // Consumers do only CPU work (decode, deserialize) on it, never blocking.
        this.consumerScheduler = Schedulers.newParallel("sluice-consumer", Math.max(2, Runtime.getRuntime().availableProcessors()), true);
    }

    private static String host(String bootstrap) {
        int colon = bootstrap.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("bootstrap must be host:port, got '" + bootstrap + "'");
        }
        return bootstrap.startsWith("[") ? bootstrap.substring(1, colon - 1) : bootstrap.substring(0, colon);
    }

    private static int port(String bootstrap) {
        try {
            int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bootstrap must be host:port with a port from 1 to 65535, got '" + bootstrap + "'");
        }
    }

    /** A client with default options for a broker at {@code host:port}. */
    public static SluiceClient connect(String bootstrap) {
        return builder().bootstrap(bootstrap).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public <K, V> ReactiveProducer<K, V> producer(ProducerOptions<K, V> options) {
        ProducerIdentity identity = options.idempotent() ? ProducerIdentity.from(admin::initProducer) : ProducerIdentity.none();
        ProduceStream stream = new ProduceStream(ReactorProducerServiceGrpc.newReactorStub(channel),
                options.onCreditExhausted(), options.onDrop(), retry, options.deliveryTimeout(), identity::renew, meters);
        produceStreams.add(stream);
        stream.open();
        return new ReactiveProducer<>(options, metadata, stream, retry, identity, meters);
    }

    public <K, V> ReactiveConsumer<K, V> consumer(ConsumerOptions<K, V> options) {
        return new ReactiveConsumer<>(options, ReactorConsumerServiceGrpc.newReactorStub(channel), retry, consumerScheduler,
                consumerSessions, meters);
    }

    /** A worker of a shared queue (queue mode): see {@link ReactiveQueue}. */
    public <K, V> ReactiveQueue<K, V> queue(QueueOptions<K, V> options) {
        return new ReactiveQueue<>(options, ReactorConsumerServiceGrpc.newReactorStub(channel), retry, consumerScheduler);
    }

    /** Queue and dead-letter administration. */
    public SluiceQueueAdmin queueAdmin() {
        return new SluiceQueueAdmin(io.sluice.proto.v1.ReactorQueueAdminServiceGrpc.newReactorStub(channel), retry);
    }

    public SluiceAdmin admin() {
        return admin;
    }

    public String bootstrap() {
        return bootstrap;
    }

    /** The id this client gives the broker (header sluice-client-id), which its per-client quotas apply to. */
    public String clientId() {
        return clientId;
    }

    /**
     * Lets producers' streams finish what they sent (records sent with acks=none included) and cancelled
     * consumer group subscriptions commit and leave, then closes the channel, failing streams still open
     * (consumers). Waits up to 5 s for each step.
     */
    @Override
    public void close() {
        Flux.fromIterable(produceStreams).flatMap(ProduceStream::closeGracefully)
                .onErrorResume(e -> Mono.empty())
                .then()
                .timeout(CLOSE_TIMEOUT, Mono.empty())
                .block();
        Flux.fromIterable(consumerSessions).filter(ConsumerSession::closing).flatMap(ConsumerSession::closed)
                .then()
                .timeout(CLOSE_TIMEOUT, Mono.empty())
                .block();
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumerScheduler.dispose();
    }

    public static final class Builder {
        private String bootstrap = "localhost:7070";
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private String clientId = "sluice-java-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        private io.micrometer.core.instrument.MeterRegistry meters;

        private Builder() {
        }

        /** The broker's {@code host:port}. */
        public Builder bootstrap(String bootstrap) {
            this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
            return this;
        }

        /**
         * The id the broker knows this client by, for per-client quotas: 1 to 255 printable ASCII characters.
         * Clients that share an id share its quota. Default: "sluice-java-" and a random suffix.
         */
        public Builder clientId(String clientId) {
            Objects.requireNonNull(clientId, "clientId");
            if (clientId.isEmpty() || clientId.length() > 255 || !clientId.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("clientId must be 1 to 255 printable ASCII characters, got '" + clientId + "'");
            }
            this.clientId = clientId;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** Shorthand for a retry policy with default backoff and this deadline. */
        public Builder retryDeadline(Duration deadline) {
            return retry(new RetryPolicy(retry.minBackoff(), retry.maxBackoff(), deadline));
        }

        /**
         * Where the client's meters go ({@code sluice.client.producer.*}: batches, records and bytes sent per
         * topic, send latency, errors, throttles, credit wait; {@code sluice.client.consumer.*}: batches,
         * records and bytes received per topic, lag). Default: none, and no metering cost.
         */
        public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry meters) {
            this.meters = Objects.requireNonNull(meters, "meters");
            return this;
        }

        public SluiceClient build() {
            return new SluiceClient(this);
        }
    }
}
