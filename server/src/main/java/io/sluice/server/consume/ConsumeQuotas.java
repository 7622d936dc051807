package io.sluice.server.consume;

import io.sluice.server.log.LogManager;
import io.sluice.server.quota.QuotaBuckets;
import io.sluice.server.quota.RateLimits;
import io.sluice.server.quota.TokenBucket;
import java.util.ArrayList;
import java.util.List;

/** Which consume byte-rate quotas apply: the topic's consumer.byte.rate and the client id's quota. */
public final class ConsumeQuotas {
    private final QuotaBuckets buckets;
    private final LogManager logs;
    private final long perClientRate;

    public ConsumeQuotas(QuotaBuckets buckets, LogManager logs, long perClientRate) {
        this.buckets = buckets;
        this.logs = logs;
        this.perClientRate = perClientRate;
    }

    /** The quotas of reading {@code topicName} as {@code clientId}. */
    RateLimits of(String topicName, String clientId) {
        List<RateLimits.Limit> limits = new ArrayList<>(2);
        logs.find(topicName).ifPresent(topic -> {
            long rate = topic.config().consumerByteRate();
            TokenBucket bucket = buckets.bucket(QuotaBuckets.Scope.CONSUME_TOPIC, topic.name(), rate);
            if (bucket != null) {
                limits.add(new RateLimits.Limit(bucket, "consumer.byte.rate=" + rate + " of topic '" + topic.name() + "'"));
            }
        });
        TokenBucket client = buckets.bucket(QuotaBuckets.Scope.CONSUME_CLIENT, clientId, perClientRate);
        if (client != null) {
            limits.add(new RateLimits.Limit(client, "quota.consumer.byte.rate.per.client=" + perClientRate
                    + " of client id '" + clientId + "'"));
        }
        return limits.isEmpty() ? RateLimits.NONE : new RateLimits(limits);
    }
}
