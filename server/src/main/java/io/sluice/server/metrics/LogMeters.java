package io.sluice.server.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.sluice.server.log.CommittedOffsets;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.PartitionLog;
import io.sluice.server.log.Topic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Gauges over the topics and consumer groups that come and go: recomputed from memory (offsets, tracked
 * sizes; no storage read) before each scrape, so a deleted topic or group simply disappears. Per-partition
 * rows are kept only for topics with at most {@code partitionLimit} partitions, to bound the series.
 */
public final class LogMeters {
    private final LogManager logs;
    private final Supplier<? extends Collection<String>> groups;
    private final int partitionLimit;
    private final MultiGauge topicPartitions;
    private final MultiGauge topicSize;
    private final MultiGauge endOffset;
    private final MultiGauge startOffset;
    private final MultiGauge partitionSize;
    private final MultiGauge groupLag;
    private final MultiGauge partitionLag;

    /** @param groups the consumer groups with committed offsets */
    public LogMeters(MeterRegistry meters, LogManager logs, Supplier<? extends Collection<String>> groups, int partitionLimit) {
        this.logs = logs;
        this.groups = groups;
        this.partitionLimit = partitionLimit;
        this.topicPartitions = MultiGauge.builder("sluice.topic.partitions").description("Partitions of each topic")
                .register(meters);
        this.topicSize = MultiGauge.builder("sluice.topic.size").baseUnit("bytes")
                .description("Bytes of the batches stored for each topic (as stored: compressed if produced so)")
                .register(meters);
        this.endOffset = MultiGauge.builder("sluice.log.end.offset")
                .description("Next offset to be written in each partition (its rate is the partition's records/s)")
                .register(meters);
        this.startOffset = MultiGauge.builder("sluice.log.start.offset")
                .description("First offset still stored in each partition (moved by retention)").register(meters);
        this.partitionSize = MultiGauge.builder("sluice.log.size").baseUnit("bytes")
                .description("Bytes of the batches stored for each partition").register(meters);
        this.groupLag = MultiGauge.builder("sluice.group.lag")
                .description("Records of a topic not yet consumed by a group: end offset minus committed offset, "
                        + "summed over the partitions it committed").register(meters);
        this.partitionLag = MultiGauge.builder("sluice.group.partition.lag")
                .description("Records of a partition not yet consumed by a group: end offset minus committed offset")
                .register(meters);
    }

    /** Recomputes every row; call before a scrape. */
    public void refresh() {
        List<MultiGauge.Row<?>> partitions = new ArrayList<>();
        List<MultiGauge.Row<?>> sizes = new ArrayList<>();
        List<MultiGauge.Row<?>> ends = new ArrayList<>();
        List<MultiGauge.Row<?>> starts = new ArrayList<>();
        List<MultiGauge.Row<?>> partitionSizes = new ArrayList<>();
        List<Topic> topics = logs.topics();
        for (Topic topic : topics) {
            Tags tags = Tags.of("topic", topic.name());
            partitions.add(MultiGauge.Row.of(tags, topic.partitionCount()));
            long bytes = 0;
            boolean perPartition = perPartition(topic);
            for (PartitionLog log : topic.partitions()) {
                long stored = log.storedBytes();
                bytes += stored;
                if (perPartition) {
                    Tags partition = tags.and("partition", Integer.toString(log.id().partition()));
                    ends.add(MultiGauge.Row.of(partition, log.highWatermark()));
                    starts.add(MultiGauge.Row.of(partition, log.startOffset()));
                    partitionSizes.add(MultiGauge.Row.of(partition, stored));
                }
            }
            sizes.add(MultiGauge.Row.of(tags, bytes));
        }
        topicPartitions.register(partitions, true);
        topicSize.register(sizes, true);
        endOffset.register(ends, true);
        startOffset.register(starts, true);
        partitionSize.register(partitionSizes, true);
        refreshLag(topics);
    }

    private void refreshLag(List<Topic> topics) {
        Map<String, Topic> byName = new HashMap<>();
        topics.forEach(t -> byName.put(t.name(), t));
        CommittedOffsets offsets = logs.offsets();
        List<MultiGauge.Row<?>> byTopic = new ArrayList<>();
        List<MultiGauge.Row<?>> byPartition = new ArrayList<>();
        for (String group : groups.get()) {
            Map<String, Long> totals = new TreeMap<>();
            offsets.fetch(group).forEach((tp, committed) -> {
                Topic topic = byName.get(tp.topic());
                if (topic == null || tp.partition() >= topic.partitionCount()) {
                    return;
                }
                long lag = Math.max(0, topic.partition(tp.partition()).highWatermark() - committed);
                totals.merge(tp.topic(), lag, Long::sum);
                if (perPartition(topic)) {
                    byPartition.add(MultiGauge.Row.of(Tags.of("group", group, "topic", tp.topic(),
                            "partition", Integer.toString(tp.partition())), lag));
                }
            });
            totals.forEach((topic, lag) -> byTopic.add(MultiGauge.Row.of(Tags.of("group", group, "topic", topic), lag)));
        }
        groupLag.register(byTopic, true);
        partitionLag.register(byPartition, true);
    }

    private boolean perPartition(Topic topic) {
        return topic.partitionCount() <= partitionLimit;
    }

    /** Removes every row (the broker stops). */
    public void close() {
        for (MultiGauge gauge : List.of(topicPartitions, topicSize, endOffset, startOffset, partitionSize, groupLag,
                partitionLag)) {
            gauge.register(List.of(), true);
        }
    }
}
