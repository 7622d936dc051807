package io.sluice.server.produce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.proto.Murmur2;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class Murmur2Test {

    @Test
    void hashAndPartitionMatchKafkaForManyKeys() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] key = new byte[random.nextInt(40)];
            random.nextBytes(key);
            assertThat(Murmur2.hash(key)).isEqualTo(Utils.murmur2(key));
            int partitions = 1 + random.nextInt(64);
            assertThat(Murmur2.partition(key, partitions))
                    .isEqualTo(Utils.toPositive(Utils.murmur2(key)) % partitions);
        }
        byte[] text = "user-42".getBytes(StandardCharsets.UTF_8);
        assertThat(Murmur2.partition(text, 12)).isEqualTo(Utils.toPositive(Utils.murmur2(text)) % 12);
    }
}
