package io.sluice.client;

import io.sluice.proto.v1.GetBrokerStatusResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A broker's state, as {@code sluice status} prints it.
 *
 * @param brokerId      the broker's id
 * @param address       host:port clients connect to
 * @param version       the broker's version
 * @param uptime        time since it started
 * @param draining      whether it began a graceful shutdown (health NOT_SERVING, new streams refused)
 * @param topics        number of topics
 * @param partitions    number of partitions of all topics together
 * @param openStreams   open streams by kind (producer, consumer, ...), sorted
 * @param dataDir       its data directory
 * @param diskUsedBytes bytes the data directory's files take
 * @param diskFreeBytes bytes still available on the data directory's file system
 */
public record BrokerStatus(int brokerId, String address, String version, Duration uptime, boolean draining, int topics,
                           int partitions, Map<String, Long> openStreams, String dataDir, long diskUsedBytes,
                           long diskFreeBytes) {

    static BrokerStatus from(GetBrokerStatusResponse r) {
        return new BrokerStatus(r.getBroker().getId(), r.getBroker().getHost() + ":" + r.getBroker().getPort(),
                r.getVersion(), Duration.ofMillis(r.getUptimeMs()), r.getDraining(), r.getTopics(), r.getPartitions(),
                java.util.Collections.unmodifiableMap(new TreeMap<>(r.getOpenStreamsMap())), r.getDataDir(),
                r.getDiskUsedBytes(), r.getDiskFreeBytes());
    }
}
