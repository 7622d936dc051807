package io.sluice.server.quota;

import io.sluice.server.config.BrokerConfig;
import io.sluice.server.config.TopicConfig;
import io.sluice.server.log.LogManager;
import io.sluice.server.log.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Which byte-rate quotas apply to producing to, or consuming from, a topic as a client: the topic's own
 * quota ({@code producer.byte.rate} / {@code consumer.byte.rate}) and the per-client-id one.
 */
public final class ByteRateQuotas {

    /** The two directions, each with its bucket scopes, its settings and where the topic's rate comes from. */
    public enum Direction {
        PRODUCE(QuotaBuckets.Scope.PRODUCE_TOPIC, QuotaBuckets.Scope.PRODUCE_CLIENT, TopicConfig.PRODUCER_BYTE_RATE,
                BrokerConfig.QUOTA_PRODUCER_BYTE_RATE_PER_CLIENT, TopicConfig::producerByteRate),
        CONSUME(QuotaBuckets.Scope.CONSUME_TOPIC, QuotaBuckets.Scope.CONSUME_CLIENT, TopicConfig.CONSUMER_BYTE_RATE,
                BrokerConfig.QUOTA_CONSUMER_BYTE_RATE_PER_CLIENT, TopicConfig::consumerByteRate);

        private final QuotaBuckets.Scope topicScope;
        private final QuotaBuckets.Scope clientScope;
        private final String topicSetting;
        private final String clientSetting;
        private final ToLongFunction<TopicConfig> topicRate;

        Direction(QuotaBuckets.Scope topicScope, QuotaBuckets.Scope clientScope, String topicSetting, String clientSetting,
                  ToLongFunction<TopicConfig> topicRate) {
            this.topicScope = topicScope;
            this.clientScope = clientScope;
            this.topicSetting = topicSetting;
            this.clientSetting = clientSetting;
            this.topicRate = topicRate;
        }
    }

    private final Direction direction;
    private final QuotaBuckets buckets;
    private final LogManager logs;
    private final long perClientRate;

    public ByteRateQuotas(Direction direction, QuotaBuckets buckets, LogManager logs, long perClientRate) {
        this.direction = direction;
        this.buckets = buckets;
        this.logs = logs;
        this.perClientRate = perClientRate;
    }

    /** The quotas of {@code topicName} (an unknown topic has none) for {@code clientId}. */
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
        long rate = direction.topicRate.applyAsLong(topic.config());
        TokenBucket bucket = buckets.bucket(direction.topicScope, topic.name(), rate);
        if (bucket != null) {
            limits.add(new RateLimits.Limit(bucket, direction.topicSetting + "=" + rate + " of topic '" + topic.name() + "'"));
        }
    }

    private void addClient(List<RateLimits.Limit> limits, String clientId) {
        TokenBucket bucket = buckets.bucket(direction.clientScope, clientId, perClientRate);
        if (bucket != null) {
            limits.add(new RateLimits.Limit(bucket, direction.clientSetting + "=" + perClientRate
                    + " of client id '" + clientId + "'"));
        }
    }
}
