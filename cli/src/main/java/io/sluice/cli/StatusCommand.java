package io.sluice.cli;

import io.sluice.client.BrokerStatus;
import io.sluice.client.SluiceClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sluice status}: one broker at a glance. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a broker's version, uptime, topics and partitions, open streams and disk use.")
final class StatusCommand implements Callable<Integer>, Failures.ClientCommand {
    private final Io io;
    @Mixin
    ClientOptions client;

    StatusCommand(Io io) {
        this.io = io;
    }

    @Override
    public ClientOptions clientOptions() {
        return client;
    }

    @Override
    public Integer call() {
        try (SluiceClient sluice = client.connect(io)) {
            BrokerStatus s = sluice.admin().brokerStatus().block();
            io.out().printf("broker    %d at %s (%s)%n", s.brokerId(), s.address(), s.draining() ? "draining" : "serving");
            io.out().printf("version   %s%n", s.version());
            io.out().printf("uptime    %s%n", uptime(s.uptime()));
            io.out().printf("topics    %d (%d partition%s)%n", s.topics(), s.partitions(), s.partitions() == 1 ? "" : "s");
            io.out().printf("streams   %s%n", s.openStreams().isEmpty() ? "none" : s.openStreams().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
            io.out().printf("disk      %s used in %s, %s free%n", Units.bytes(s.diskUsedBytes()), s.dataDir(),
                    s.diskFreeBytes() < 0 ? "unknown" : Units.bytes(s.diskFreeBytes()));
        }
        return 0;
    }

    /** 3d 4h 5m 6s, leaving out leading zero units. */
    static String uptime(Duration uptime) {
        long seconds = uptime.toSeconds();
        long days = seconds / 86_400;
        long hours = seconds / 3600 % 24;
        long minutes = seconds / 60 % 60;
        StringBuilder out = new StringBuilder();
        if (days > 0) {
            out.append(days).append("d ");
        }
        if (days > 0 || hours > 0) {
            out.append(hours).append("h ");
        }
        if (days > 0 || hours > 0 || minutes > 0) {
            out.append(minutes).append("m ");
        }
        return out.append(seconds % 60).append('s').toString();
    }
}
