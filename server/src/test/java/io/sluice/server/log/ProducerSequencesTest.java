package io.sluice.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.log.ProducerSequences.Append;
import io.sluice.server.log.ProducerSequences.Duplicate;
import io.sluice.server.log.ProducerSequences.Entry;
import io.sluice.server.log.ProducerSequences.OutOfOrder;
import org.junit.jupiter.api.Test;

class ProducerSequencesTest {

    @Test
    void appendsInSequenceRecognisesTheLastFiveDuplicatesAndRefusesGaps() {
        ProducerSequences sequences = new ProducerSequences();
        assertThat(sequences.check(7, 0)).isInstanceOf(Append.class);
        for (int seq = 0; seq < 8; seq++) {
            assertThat(sequences.check(7, seq)).isInstanceOf(Append.class);
            sequences.record(7, new Entry(seq, seq * 10L, 10));
        }
        assertThat(sequences.check(7, 6)).isEqualTo(new Duplicate(new Entry(6, 60, 10)));
        assertThat(sequences.check(7, 3)).isEqualTo(new Duplicate(new Entry(3, 30, 10)));
        assertThat(sequences.check(7, 2)).isInstanceOfSatisfying(OutOfOrder.class,
                o -> assertThat(o.reason()).contains("older than the last 5"));
        assertThat(sequences.check(7, 10)).isInstanceOfSatisfying(OutOfOrder.class,
                o -> assertThat(o.reason()).contains("gap after 7", "8..9"));
        // Another producer is independent.
        assertThat(sequences.check(8, 42)).isInstanceOf(Append.class);
    }

    @Test
    void persistedEntriesRestoreTheSameDecisions() {
        ProducerSequences sequences = new ProducerSequences();
        byte[] persisted = null;
        for (int seq = 0; seq < 3; seq++) {
            persisted = sequences.record(1, new Entry(seq, 100 + seq, 1));
        }
        ProducerSequences restored = new ProducerSequences();
        restored.restore(1, persisted);
        assertThat(restored.check(1, 1)).isEqualTo(new Duplicate(new Entry(1, 101, 1)));
        assertThat(restored.check(1, 3)).isInstanceOf(Append.class);
        assertThat(restored.check(1, 5)).isInstanceOf(OutOfOrder.class);
    }

    @Test
    void aFailedWriteIsForgotten() {
        ProducerSequences sequences = new ProducerSequences();
        sequences.record(1, new Entry(0, 0, 1));
        Entry failed = new Entry(1, 1, 1);
        sequences.record(1, failed);
        sequences.forget(1, failed);
        assertThat(sequences.check(1, 1)).isInstanceOf(Append.class);
    }
}
