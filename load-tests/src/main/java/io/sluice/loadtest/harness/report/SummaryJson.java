package io.sluice.loadtest.harness.report;

import io.sluice.loadtest.harness.Summary;
import io.sluice.loadtest.harness.TimelinePoint;
import java.util.Map;

/** summary.json: the run's figures for machines (compare.sh, CI checks, dashboards). */
public final class SummaryJson {
    private SummaryJson() {
    }

    public static String render(Summary s) {
        JsonWriter json = new JsonWriter().beginObject()
                .field("scenario", s.scenario())
                .field("workload", s.workload())
                .field("topic", s.topic())
                .field("startedAt", s.startedAt())
                .field("loadAverage", s.loadAverage())
                .field("durationSeconds", s.durationSeconds());
        json.name("parameters").beginObject();
        s.parameters().forEach(json::field);
        json.endObject();
        json.name("records").beginObject()
                .field("sent", s.recordsSent())
                .field("acked", s.recordsAcked())
                .field("failed", s.recordsFailed())
                .field("consumed", s.recordsConsumed())
                .endObject();
        rate(json, "produced", s.produced());
        rate(json, "consumed", s.consumed());
        json.name("latencyMs").beginObject();
        latency(json, "publishToAck", s.ack());
        latency(json, "publishToConsumed", s.endToEnd());
        json.endObject();
        json.name("errors").beginObject();
        for (Map.Entry<String, Long> e : s.errors().entrySet()) {
            json.field(e.getKey(), e.getValue());
        }
        json.endObject();
        json.name("broker").beginObject()
                .field("pid", s.broker().pid())
                .field("cpuSeconds", s.broker().cpuSeconds())
                .field("averageCores", s.broker().averageCores())
                .field("maxRssBytes", s.broker().maxRssBytes())
                .endObject();
        json.field("clientCpuSeconds", s.clientCpuSeconds());
        json.name("timeline").beginArray();
        for (TimelinePoint p : s.timeline()) {
            json.beginObject()
                    .field("t", p.elapsedSeconds())
                    .field("producedPerSecond", p.producedPerSecond())
                    .field("producedMbPerSecond", p.producedMbPerSecond())
                    .field("consumedPerSecond", p.consumedPerSecond())
                    .field("consumedMbPerSecond", p.consumedMbPerSecond())
                    .field("ackP50Ms", p.ackP50Ms()).field("ackP99Ms", p.ackP99Ms()).field("ackMaxMs", p.ackMaxMs())
                    .field("e2eP50Ms", p.e2eP50Ms()).field("e2eP99Ms", p.e2eP99Ms()).field("e2eMaxMs", p.e2eMaxMs())
                    .field("errors", p.errors())
                    .field("brokerCpuCores", p.brokerCpuCores())
                    .field("brokerRssBytes", p.brokerRssBytes())
                    .endObject();
        }
        json.endArray();
        return json.endObject().toString() + "\n";
    }

    private static void rate(JsonWriter json, String name, Summary.Rate rate) {
        json.name(name).beginObject()
                .field("recordsPerSecond", rate.recordsPerSecond())
                .field("mbPerSecond", rate.mbPerSecond())
                .endObject();
    }

    private static void latency(JsonWriter json, String name, Summary.Latency l) {
        json.name(name).beginObject()
                .field("count", l.count())
                .field("min", l.minMs())
                .field("mean", l.meanMs())
                .field("max", l.maxMs());
        json.name("percentiles").beginObject();
        for (Summary.Percentile p : l.percentiles()) {
            json.field("p" + format(p.percentile()), p.ms());
        }
        json.endObject().endObject();
    }

    /** 99.9 -> "99.9", 50 -> "50". */
    static String format(double percentile) {
        return percentile == Math.rint(percentile) ? Long.toString((long) percentile) : Double.toString(percentile);
    }
}
