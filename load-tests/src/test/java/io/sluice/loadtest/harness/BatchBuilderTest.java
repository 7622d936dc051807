package io.sluice.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.proto.v1.RecordSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchBuilderTest {

    @Test
    void hand_encoded_batch_is_a_valid_record_set_and_carries_send_times() throws Exception {
        BatchBuilder builder = new BatchBuilder(3, 1000, Integer.MAX_VALUE, new byte[100]);
        byte[] key = "key-1".getBytes(StandardCharsets.US_ASCII);
        builder.add(key, 111L, 1_700_000_000_000L, 5);
        builder.add(null, 222L, 1_700_000_000_001L, 6);
        InFlightBatch batch = builder.take();

        RecordSet parsed = RecordSet.parseFrom(batch.records());
        assertThat(batch.partition()).isEqualTo(3);
        assertThat(batch.count()).isEqualTo(2);
        assertThat(parsed.getRecordsCount()).isEqualTo(2);
        assertThat(parsed.getRecords(0).getKey().toStringUtf8()).isEqualTo("key-1");
        assertThat(parsed.getRecords(1).hasKey()).isFalse();
        assertThat(parsed.getRecords(1).getValue().size()).isEqualTo(100);
        assertThat(parsed.getRecords(1).getTimestampMs()).isEqualTo(1_700_000_000_001L);
        List<Long> sendTimes = new ArrayList<>();
        RecordSetReader.forEachSendTime(batch.records(), sendTimes::add);
        assertThat(sendTimes).containsExactly(111L, 222L);
        assertThat(builder.count()).isZero();
    }

    @Test
    void a_batch_is_full_at_its_byte_or_record_limit() {
        BatchBuilder bySize = new BatchBuilder(0, 300, Integer.MAX_VALUE, new byte[100]);
        int added = 0;
        while (!bySize.wouldOverflow(null, 1L)) {
            bySize.add(null, 0, 1L, 0);
            added++;
        }
        assertThat(added).isEqualTo(2); // each record takes ~106 bytes of a 300-byte batch
        assertThat(bySize.take().records().size()).isLessThanOrEqualTo(300);

        BatchBuilder byCount = new BatchBuilder(0, 1 << 16, 1, new byte[10]);
        byCount.add(null, 0, 1L, 0);
        assertThat(byCount.wouldOverflow(null, 1L)).isTrue();
    }
}
