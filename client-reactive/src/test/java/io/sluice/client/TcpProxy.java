package io.sluice.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a loopback port, for breaking connections under a client: each
 * accepted connection gets a connection to the target and one thread per direction copying bytes.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    /** While set, what the target sends is read and thrown away: requests arrive, their answers are lost. */
    private volatile boolean dropResponses;
    /** While set, new connections are accepted and reset at once: the target looks unreachable. */
    private volatile boolean refuse;

    private TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy to {@code 127.0.0.1:targetPort}. */
    static TcpProxy to(int targetPort) {
        try {
            return new TcpProxy(targetPort);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String bootstrap() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Resets every open connection (both sides); returns how many there were. */
    int cutAll() {
        int cut = 0;
        for (Link link : links) {
            link.close();
            cut++;
        }
        return cut;
    }

    void dropResponses(boolean drop) {
        dropResponses = drop;
    }

    /** Cuts every connection and, until called with false, resets new ones. */
    void refuse(boolean refuse) {
        this.refuse = refuse;
        if (refuse) {
            cutAll();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        cutAll();
    }

    /** Ends when the server socket is closed. */
    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (refuse) {
                    Link.reset(client);
                    continue;
                }
                Socket target = new Socket();
                try {
                    target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                } catch (IOException unreachable) {
                    client.close();
                    continue;
                }
                accepted.incrementAndGet();
                Link link = new Link(client, target);
                links.add(link);
                link.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** One proxied connection. */
    private final class Link {
        private final Socket client;
        private final Socket target;

        Link(Socket client, Socket target) {
            this.client = client;
            this.target = target;
        }

        void start() throws IOException {
            pump("tcp-proxy-up", client.getInputStream(), target.getOutputStream(), false);
            pump("tcp-proxy-down", target.getInputStream(), client.getOutputStream(), true);
        }

        /** Copies until either side closes; then closes both. */
        private void pump(String name, InputStream in, OutputStream out, boolean fromTarget) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        if (!(fromTarget && dropResponses)) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                } catch (IOException broken) {
                    // Cut, or the other side went away: the link is over.
                }
                close();
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** A reset rather than an orderly close: like a dropped network, not a goodbye. */
        void close() {
            if (links.remove(this)) {
                reset(client);
                reset(target);
            }
        }

        private static void reset(Socket socket) {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException ignored) {
                // Already closed.
            }
        }
    }
}
