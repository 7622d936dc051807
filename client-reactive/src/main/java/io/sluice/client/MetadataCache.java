package io.sluice.client;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/** Partition counts per topic, fetched once and refreshed after a while; failures are not cached. */
final class MetadataCache {
    private static final Duration TTL = Duration.ofMinutes(5);

    private final SluiceAdmin admin;
    private final Map<String, Mono<Integer>> partitionCounts = new ConcurrentHashMap<>();

    MetadataCache(SluiceAdmin admin) {
        this.admin = admin;
    }

    Mono<Integer> partitionCount(String topic) {
        return partitionCounts.computeIfAbsent(topic, t -> admin.metadata(t)
                .map(m -> m.topics().get(0).partitions().size())
                .cache(count -> TTL, error -> Duration.ZERO, () -> Duration.ZERO));
    }
}
