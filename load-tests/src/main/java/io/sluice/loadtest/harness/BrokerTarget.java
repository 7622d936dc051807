package io.sluice.loadtest.harness;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/** The broker under load: a channel to it and, if known, its pid (for CPU and RSS). */
public final class BrokerTarget implements AutoCloseable {
    private final String host;
    private final int port;
    private final long pid;
    private final ManagedChannel channel;
    private final AutoCloseable owned; // the broker JVM this target started, or null

    private BrokerTarget(String host, int port, long pid, AutoCloseable owned) {
        this.host = host;
        this.port = port;
        this.pid = pid;
        this.owned = owned;
        this.channel = newChannel();
    }

    /** Another channel (its own connection) to the broker; the caller shuts it down. */
    public ManagedChannel newChannel() {
        // Direct executor: the harness's callbacks only count and record, so they run on Netty's threads
        // instead of hopping to a pool (the generator must stay lean on 2 cores).
        return NettyChannelBuilder.forAddress(host, port).usePlaintext().directExecutor()
                .maxInboundMessageSize(64 << 20).build();
    }

    /** A broker someone else runs; {@code pid} <= 0 when unknown. */
    public static BrokerTarget external(String bootstrap, long pid) {
        int colon = bootstrap.lastIndexOf(':');
        String host = bootstrap.substring(0, colon);
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1") && !host.equals("[::1]")) {
            throw new IllegalArgumentException("load runs target loopback only, got " + bootstrap);
        }
        return new BrokerTarget(host, Integer.parseInt(bootstrap.substring(colon + 1)), pid, null);
    }

    /** A broker in its own JVM, stopped (and its data deleted) when this target closes. */
    public static BrokerTarget ownJvm(BrokerJvm broker) {
        return new BrokerTarget("127.0.0.1", broker.port(), broker.pid(), broker);
    }

    public ManagedChannel channel() {
        return channel;
    }

    public String bootstrap() {
        return host + ":" + port;
    }

    public long pid() {
        return pid;
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
        if (owned != null) {
            owned.close();
        }
    }
}
