package io.sluice.loadtest.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of a process, read from Linux's /proc. */
final class ProcStats {
    /** USER_HZ: the unit of utime/stime in /proc/[pid]/stat; 100 on every mainstream Linux. */
    private static final double TICKS_PER_SECOND = 100.0;

    /** A reading; negative values mean unavailable (no such pid, not Linux). */
    record Sample(double cpuSeconds, long rssBytes) {
        static final Sample UNAVAILABLE = new Sample(-1, -1);
    }

    private ProcStats() {
    }

    static Sample read(long pid) {
        if (pid <= 0) {
            return Sample.UNAVAILABLE;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which sits in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // utime and stime are fields 14 and 15 of the full line, 12 and 13 after "pid (comm)" (1-based).
            double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
            long rss = -1;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return new Sample(cpu, rss);
        } catch (IOException | RuntimeException e) {
            return Sample.UNAVAILABLE;
        }
    }
}
