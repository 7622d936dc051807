package io.sluice.loadtest.harness.report;

import io.sluice.loadtest.harness.Summary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Writes a run's folder: {@code <root>/<scenario>-<yyyyMMdd-HHmmss>/index.html} and {@code summary.json}. */
public final class ReportWriter {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private ReportWriter() {
    }

    /** A new, unused folder for a run of this scenario. */
    public static Path newRunDir(Path root, String scenario) throws IOException {
        String base = scenario + "-" + LocalDateTime.now().format(STAMP);
        Path dir = root.resolve(base);
        for (int i = 2; Files.exists(dir); i++) {
            dir = root.resolve(base + "-" + i);
        }
        return Files.createDirectories(dir);
    }

    /** Returns the index.html path. */
    public static Path write(Path dir, Summary summary) throws IOException {
        Files.writeString(dir.resolve("summary.json"), SummaryJson.render(summary));
        return Files.writeString(dir.resolve("index.html"), HtmlReport.render(summary));
    }
}
