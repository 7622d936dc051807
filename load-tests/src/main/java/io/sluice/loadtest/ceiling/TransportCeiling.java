package io.sluice.loadtest.ceiling;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transport ceiling: opaque messages (64 KiB by default) pushed through one bare gRPC bidi stream on
 * loopback between two JVMs, with no broker logic. Sluice's produce MB/s is reported as a fraction of it.
 *
 * <pre>java -cp "load-tests/target/classes:load-tests/target/lib/*" io.sluice.loadtest.ceiling.TransportCeiling \
 *     [--message-bytes=65536] [--warmup-seconds=20] [--measure-seconds=20] [--in-flight=64]</pre>
 */
public final class TransportCeiling {
    private TransportCeiling() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--serve")) {
            serve();
            return;
        }
        int messageBytes = intOption(args, "message-bytes", 64 << 10);
        int warmupSeconds = intOption(args, "warmup-seconds", 20);
        int measureSeconds = intOption(args, "measure-seconds", 20);
        int inFlight = intOption(args, "in-flight", 64);
        Process server = startServer();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            int port = readPort(out);
            // Keep draining the server's output, or its logging blocks on a full pipe.
            Thread drain = new Thread(() -> out.lines().forEach(line -> { }), "ceiling-server-output");
            drain.setDaemon(true);
            drain.start();
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                    .maxInboundMessageSize(messageBytes * 2).build();
            run(channel, messageBytes, inFlight, warmupSeconds);
            long[] result = run(channel, messageBytes, inFlight, measureSeconds);
            double seconds = result[1] / 1e9;
            System.out.printf("transport ceiling: %d messages of %d B in %.1f s: %.0f msg/s, %.1f MB/s (MB = 2^20)%n",
                    result[0], messageBytes, seconds, result[0] / seconds, result[0] * (double) messageBytes / seconds / (1 << 20));
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Sends for {@code seconds} (bounded also by a message count), keeping {@code inFlight} unacknowledged. */
    private static long[] run(ManagedChannel channel, int messageBytes, int inFlight, int seconds) throws InterruptedException {
        byte[] payload = new byte[messageBytes];
        Semaphore window = new Semaphore(inFlight);
        AtomicLong acked = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        ClientCallStreamObserver<byte[]>[] requests = new ClientCallStreamObserver[1];
        ClientCalls.asyncBidiStreamingCall(channel.newCall(OpaqueStream.METHOD, io.grpc.CallOptions.DEFAULT),
                new ClientResponseObserver<byte[], byte[]>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<byte[]> stream) {
                        requests[0] = stream;
                    }

                    @Override
                    public void onNext(byte[] ack) {
                        acked.incrementAndGet();
                        window.release();
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        long maxMessages = 100_000_000L;
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        long sent = 0;
        while (System.nanoTime() < deadline && sent < maxMessages) {
            if (window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                requests[0].onNext(payload);
                sent++;
            }
        }
        long elapsed = System.nanoTime() - start;
        long count = acked.get();
        requests[0].onCompleted();
        done.await(10, TimeUnit.SECONDS);
        return new long[] {count, elapsed};
    }

    private static Process startServer() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                TransportCeiling.class.getName(), "--serve"))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    /** The server side: prints its port on stdout, then serves until killed. */
    private static void serve() throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .directExecutor()
                .maxInboundMessageSize(64 << 20)
                .addService(OpaqueStream.service())
                .build()
                .start();
        System.out.println("ceiling-server-port=" + ((InetSocketAddress) server.getListenSockets().get(0)).getPort());
        System.out.flush();
        server.awaitTermination();
    }

    /** Skips whatever logging prints until the server's port line. */
    private static int readPort(BufferedReader out) throws java.io.IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("ceiling-server-port=")) {
                return Integer.parseInt(line.substring("ceiling-server-port=".length()));
            }
        }
        throw new IllegalStateException("the ceiling server exited before printing its port");
    }

    private static int intOption(String[] args, String name, int defaultValue) {
        for (String arg : args) {
            if (arg.startsWith("--" + name + "=")) {
                return Integer.parseInt(arg.substring(name.length() + 3));
            }
        }
        return defaultValue;
    }
}
