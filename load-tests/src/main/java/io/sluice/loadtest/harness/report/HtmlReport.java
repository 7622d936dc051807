package io.sluice.loadtest.harness.report;

import io.sluice.loadtest.harness.Summary;
import io.sluice.loadtest.harness.TimelinePoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** index.html: one self-contained page (inline CSS and SVG charts) that opens offline. */
public final class HtmlReport {
    private static final String CSS = """
            body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:960px}
            h1{font-size:22px}h2{font-size:17px;margin-top:28px}
            table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
            th{background:#f3f3f3}td.k,th.k{text-align:left}
            .headline td{font-size:15px}
            svg.chart{display:block;margin:10px 0;background:#fff}
            svg .grid{stroke:#e5e5e5}svg .axis{stroke:#888}svg .frame{fill:none;stroke:#888}
            svg .series{fill:none;stroke-width:1.8}svg text{font-size:12px;fill:#333}svg .title{font-weight:600;font-size:14px}
            """;

    private HtmlReport() {
    }

    public static String render(Summary s) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Sluice load test: ")
                .append(Html.escape(s.scenario())).append("</title>\n<style>").append(CSS).append("</style></head><body>\n");
        html.append("<h1>Sluice load test: ").append(Html.escape(s.scenario())).append("</h1>\n");
        html.append("<p>Started ").append(Html.escape(s.startedAt())).append(" on topic <code>").append(Html.escape(s.topic()))
                .append("</code>; load average at start ").append(Html.escape(s.loadAverage()))
                .append(". MB = 2<sup>20</sup> bytes of record payload.</p>\n");
        headline(html, s);
        charts(html, s);
        percentiles(html, s);
        errors(html, s.errors());
        html.append("<h2>Parameters</h2>\n<table>\n");
        for (Map.Entry<String, String> p : s.parameters().entrySet()) {
            html.append("<tr><th class=\"k\">").append(Html.escape(p.getKey())).append("</th><td class=\"k\">")
                    .append(Html.escape(p.getValue())).append("</td></tr>\n");
        }
        html.append("</table>\n<p>Machine-readable: <a href=\"summary.json\">summary.json</a>.</p>\n</body></html>\n");
        return html.toString();
    }

    private static void headline(StringBuilder html, Summary s) {
        html.append("<h2>Summary</h2>\n<table class=\"headline\">\n");
        row(html, "duration", fmt("%.2f s", s.durationSeconds()));
        row(html, "records sent / acked / failed / consumed",
                fmt("%,d / %,d / %,d / %,d", s.recordsSent(), s.recordsAcked(), s.recordsFailed(), s.recordsConsumed()));
        if (s.produced().recordsPerSecond() > 0) {
            row(html, "produced", fmt("%,.0f records/s, %.2f MB/s", s.produced().recordsPerSecond(), s.produced().mbPerSecond()));
        }
        if (s.consumed().recordsPerSecond() > 0) {
            row(html, "consumed", fmt("%,.0f records/s, %.2f MB/s", s.consumed().recordsPerSecond(), s.consumed().mbPerSecond()));
        }
        if (s.ack().count() > 0) {
            row(html, "publish → ack", latencyLine(s.ack()));
        }
        if (s.endToEnd().count() > 0) {
            row(html, "publish → consumed", latencyLine(s.endToEnd()));
        }
        row(html, "errors", Long.toString(s.errors().values().stream().mapToLong(Long::longValue).sum()));
        if (s.broker().cpuSeconds() >= 0) {
            row(html, "broker (pid " + s.broker().pid() + ")", fmt("%.1f CPU-s (%.2f cores on average), max RSS %.0f MB",
                    s.broker().cpuSeconds(), s.broker().averageCores(), s.broker().maxRssBytes() / 1048576.0));
        }
        row(html, "load generator", fmt("%.1f CPU-s", s.clientCpuSeconds()));
        html.append("</table>\n");
    }

    private static String latencyLine(Summary.Latency l) {
        return fmt("p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms", l.at(50), l.at(99), l.at(99.9), l.maxMs());
    }

    private static void charts(StringBuilder html, Summary s) {
        List<TimelinePoint> t = s.timeline();
        double[] x = t.stream().mapToDouble(TimelinePoint::elapsedSeconds).toArray();
        html.append("<h2>Over time</h2>\n");
        List<SvgChart.Series> rates = new ArrayList<>();
        List<SvgChart.Series> mbs = new ArrayList<>();
        if (s.produced().recordsPerSecond() > 0) {
            rates.add(new SvgChart.Series("produced (acked)", "#1f77b4", values(t, TimelinePoint::producedPerSecond)));
            mbs.add(new SvgChart.Series("produced", "#1f77b4", values(t, TimelinePoint::producedMbPerSecond)));
        }
        if (s.consumed().recordsPerSecond() > 0) {
            rates.add(new SvgChart.Series("consumed", "#2ca02c", values(t, TimelinePoint::consumedPerSecond)));
            mbs.add(new SvgChart.Series("consumed", "#2ca02c", values(t, TimelinePoint::consumedMbPerSecond)));
        }
        html.append(SvgChart.render("Throughput (records/s)", "elapsed (s)", "records/s", x, rates));
        html.append(SvgChart.render("Throughput (MB/s)", "elapsed (s)", "MB/s", x, mbs));
        if (s.ack().count() > 0) {
            html.append(SvgChart.render("Publish → ack latency percentiles per second (ms)", "elapsed (s)", "ms", x, List.of(
                    new SvgChart.Series("p50", "#1f77b4", values(t, TimelinePoint::ackP50Ms)),
                    new SvgChart.Series("p99", "#ff7f0e", values(t, TimelinePoint::ackP99Ms)),
                    new SvgChart.Series("max", "#d62728", values(t, TimelinePoint::ackMaxMs)))));
        }
        if (s.endToEnd().count() > 0) {
            html.append(SvgChart.render("Publish → consumed latency percentiles per second (ms)", "elapsed (s)", "ms", x, List.of(
                    new SvgChart.Series("p50", "#1f77b4", values(t, TimelinePoint::e2eP50Ms)),
                    new SvgChart.Series("p99", "#ff7f0e", values(t, TimelinePoint::e2eP99Ms)),
                    new SvgChart.Series("max", "#d62728", values(t, TimelinePoint::e2eMaxMs)))));
        }
        if (s.broker().cpuSeconds() >= 0) {
            html.append(SvgChart.render("Broker CPU (cores)", "elapsed (s)", "cores", x,
                    List.of(new SvgChart.Series("cpu", "#9467bd", values(t, TimelinePoint::brokerCpuCores)))));
            html.append(SvgChart.render("Broker RSS (MB)", "elapsed (s)", "MB", x,
                    List.of(new SvgChart.Series("rss", "#8c564b", values(t, p -> p.brokerRssBytes() / 1048576.0)))));
        }
    }

    private static void percentiles(StringBuilder html, Summary s) {
        html.append("<h2>Latency distribution (ms)</h2>\n<table class=\"percentiles\">\n<tr><th class=\"k\">percentile</th>");
        List<Summary.Latency> columns = new ArrayList<>();
        if (s.ack().count() > 0) {
            html.append("<th>publish → ack</th>");
            columns.add(s.ack());
        }
        if (s.endToEnd().count() > 0) {
            html.append("<th>publish → consumed</th>");
            columns.add(s.endToEnd());
        }
        html.append("</tr>\n");
        for (double p : new double[] {50, 75, 90, 95, 99, 99.9, 99.99, 100}) {
            html.append("<tr><td class=\"k\">").append(p == 100 ? "max" : SummaryJson.format(p)).append("</td>");
            columns.forEach(l -> html.append("<td>").append(fmt("%.3f", l.at(p))).append("</td>"));
            html.append("</tr>\n");
        }
        html.append("<tr><td class=\"k\">mean</td>");
        columns.forEach(l -> html.append("<td>").append(fmt("%.3f", l.meanMs())).append("</td>"));
        html.append("</tr>\n<tr><td class=\"k\">count</td>");
        columns.forEach(l -> html.append("<td>").append(fmt("%,d", l.count())).append("</td>"));
        html.append("</tr>\n</table>\n");
    }

    private static void errors(StringBuilder html, Map<String, Long> errors) {
        html.append("<h2>Errors by status</h2>\n");
        if (errors.isEmpty()) {
            html.append("<p>None.</p>\n");
            return;
        }
        html.append("<table><tr><th class=\"k\">status</th><th>count</th></tr>\n");
        errors.forEach((k, v) -> html.append("<tr><td class=\"k\">").append(Html.escape(k)).append("</td><td>").append(v).append("</td></tr>\n"));
        html.append("</table>\n");
    }

    private static double[] values(List<TimelinePoint> t, ToDoubleFunction<TimelinePoint> f) {
        return t.stream().mapToDouble(f).toArray();
    }

    private static void row(StringBuilder html, String key, String value) {
        html.append("<tr><th class=\"k\">").append(Html.escape(key)).append("</th><td class=\"k\">")
                .append(Html.escape(value)).append("</td></tr>\n");
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
