package io.sluice.loadtest.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A broker ({@code io.sluice.server.BrokerMain}) in its own JVM on loopback, port 0, data in a fresh
 * temp dir, started with this JVM's classpath. Its output goes to a log file. Closing kills it and
 * deletes the data.
 */
public final class BrokerJvm implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

    private final Process process;
    private final int port;
    private final Path dataDir;

    private BrokerJvm(Process process, int port, Path dataDir) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * @param jvmOptions e.g. {@code -Xms1g -Xmx1g} (the Kafka baseline's broker heap)
     * @param log        where the broker's output goes
     */
    public static BrokerJvm start(List<String> jvmOptions, List<String> brokerArgs, Path log) throws IOException {
        Path dataDir = Files.createTempDirectory("sluice-bench-broker-");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        // The broker's own logging config (a test classpath may carry a quieter one): it logs where it listens.
        command.add("-Dlogback.configurationFile=logback.xml");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.sluice.server.BrokerMain",
                "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--data-dir", dataDir.toString()));
        command.addAll(brokerArgs);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> copyOutput(process, log, port), "broker-jvm-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new BrokerJvm(process, port.get(60, TimeUnit.SECONDS), dataDir);
        } catch (Exception e) {
            process.destroyForcibly();
            deleteTree(dataDir);
            throw new IOException("broker JVM did not start; see " + log, e);
        }
    }

    private static void copyOutput(Process process, Path log, CompletableFuture<Integer> port) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                Matcher m = LISTENING.matcher(line);
                if (!port.isDone() && m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException ignored) {
            // The broker went away; start() times out if it never listened.
        }
        port.completeExceptionally(new IllegalStateException("broker output ended before it listened"));
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (!process.isAlive() && !Files.exists(dataDir)) {
            return;
        }
        process.destroy(); // SIGTERM: the broker's clean shutdown
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        deleteTree(dataDir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: it is a temp dir
        }
    }
}
