package io.sluice.server.produce;

import io.sluice.server.log.LogManager;
import io.sluice.server.log.Topic;
import io.sluice.server.quota.QuotaBuckets;
import io.sluice.server.quota.RateLimits;
import io.sluice.server.quota.TokenBucket;
import java.util.ArrayList;
import java.util.List;

/** Which produce byte-rate quotas apply: the topic's producer.byte.rate and the client id's quota. */
public final class ProduceQuotas {
    private final QuotaBuckets buckets;
    private final LogManager logs;
    private final long perClientRate;

    public ProduceQuotas(QuotaBuckets buckets, LogManager logs, long perClientRate) {
        this.buckets = buckets;
        this.logs = logs;
        this.perClientRate = perClientRate;
    }

    /** The quotas of writing to {@code topicName} (an unknown topic has none) as {@code clientId}. */
    public RateLimits of(String topicName, String clientId) {
        List<RateLimits.Limit> limits = new ArrayList<>(2);
        logs.find(topicName).ifPresent(topic -> addTopic(limits, topic));
        addClient(limits, clientId);
        return limits.isEmpty() ? RateLimits.NONE : new RateLimits(limits);
    }

    /**
     * For the initial grant of a stream that has not said what it writes: its client quota and every topic
     * quota, so that a window opened before the first batch cannot flood a topic with a small quota.
     */
    public RateLimits opening(String clientId) {
        List<RateLimits.Limit> limits = new ArrayList<>();
        for (Topic topic : logs.topics()) {
            addTopic(limits, topic);
        }
        addClient(limits, clientId);
        return limits.isEmpty() ? RateLimits.NONE : new RateLimits(limits);
    }

    private void addTopic(List<RateLimits.Limit> limits, Topic topic) {
        long rate = topic.config().producerByteRate();
        TokenBucket bucket = buckets.bucket(QuotaBuckets.Scope.PRODUCE_TOPIC, topic.name(), rate);
        if (bucket != null) {
            limits.add(new RateLimits.Limit(bucket, "producer.byte.rate=" + rate + " of topic '" + topic.name() + "'"));
        }
    }

    private void addClient(List<RateLimits.Limit> limits, String clientId) {
        TokenBucket bucket = buckets.bucket(QuotaBuckets.Scope.PRODUCE_CLIENT, clientId, perClientRate);
        if (bucket != null) {
            limits.add(new RateLimits.Limit(bucket, "quota.producer.byte.rate.per.client=" + perClientRate
                    + " of client id '" + clientId + "'"));
        }
    }
}
