package io.sluice.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A queue as described by the broker.
 *
 * @param workers      workers subscribed now
 * @param backlog      records not settled: waiting, in flight or waiting for a retry
 * @param inFlight     records delivered and locked now
 * @param delayed      records waiting for their next delivery time
 * @param deadLettered records this queue moved to its dead-letter topic, ever
 * @param oldestAge    age of the oldest record not settled (zero with an empty backlog)
 * @param partitions   per partition (empty in a listing)
 */
public record QueueInfo(String name, String topic, String deadLetterTopic, Map<String, String> config, int workers,
                        long backlog, long inFlight, long delayed, long deadLettered, Duration oldestAge,
                        List<PartitionInfo> partitions, Instant created) {
    public QueueInfo {
        config = Map.copyOf(config);
        partitions = List.copyOf(partitions);
    }

    /** One partition: every offset below {@code settledUpTo} is settled. */
    public record PartitionInfo(int partition, long settledUpTo, long highWatermark, long backlog, long inFlight,
                                long delayed, long deadLettered) {
    }

    static QueueInfo from(io.sluice.proto.v1.QueueDescription d) {
        return new QueueInfo(d.getName(), d.getTopic(), d.getDlqTopic(), new java.util.TreeMap<>(d.getConfigMap()),
                d.getWorkers(), d.getBacklog(), d.getInFlight(), d.getDelayed(), d.getDeadLettered(),
                Duration.ofMillis(d.getOldestAgeMs()), d.getPartitionsList().stream()
                .map(p -> new PartitionInfo(p.getPartition(), p.getSettledUpTo(), p.getHighWatermark(), p.getBacklog(),
                        p.getInFlight(), p.getDelayed(), p.getDeadLettered()))
                .toList(), Instant.ofEpochMilli(d.getCreatedMs()));
    }
}
