package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** Keyed records must land where Kafka's default partitioner (and the broker) puts them. */
class Murmur2Test {
    @Test
    void matchesKafkaForKeysOfEveryTailLength() {
        Random random = new Random(42);
        for (int length = 0; length < 64; length++) {
            for (int n = 0; n < 50; n++) {
                byte[] key = new byte[length];
                random.nextBytes(key);
                assertThat(Murmur2.hash(key)).isEqualTo(Utils.murmur2(key));
                assertThat(Murmur2.partition(key, 7)).isEqualTo(Utils.toPositive(Utils.murmur2(key)) % 7);
                assertThat(Murmur2.partition(key, 7)).isEqualTo(io.sluice.server.produce.Murmur2.partition(key, 7));
            }
        }
    }
}
