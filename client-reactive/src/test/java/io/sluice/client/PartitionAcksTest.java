package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committable position never passes a record that was delivered and not acknowledged. */
class PartitionAcksTest {

    @Test
    void startsAtTheAssignedOffsetAndCommitsItOnce() {
        PartitionAcks acks = new PartitionAcks(40);
        assertThat(acks.position()).isEqualTo(40);
        assertThat(acks.uncommitted()).isTrue();
        acks.committed(40);
        assertThat(acks.uncommitted()).isFalse();
    }

    @Test
    void outOfOrderAcksStopAtTheFirstUnacknowledgedRecord() {
        PartitionAcks acks = new PartitionAcks(10);
        List<PartitionAcks.Mark> marks = new ArrayList<>();
        for (long offset = 10; offset < 15; offset++) {
            marks.add(acks.deliver(offset));
        }
        assertThat(acks.position()).isEqualTo(10);
        marks.get(1).ack();
        marks.get(3).ack();
        assertThat(acks.position()).isEqualTo(10);
        marks.get(0).ack();
        assertThat(acks.position()).isEqualTo(12);
        marks.get(2).ack();
        assertThat(acks.position()).isEqualTo(14);
        marks.get(4).ack();
        assertThat(acks.position()).isEqualTo(15);
    }

    @Test
    void gapsOfACompactedLogAreStepped() {
        PartitionAcks acks = new PartitionAcks(0);
        PartitionAcks.Mark third = acks.deliver(3);
        PartitionAcks.Mark ninth = acks.deliver(9);
        third.ack();
        assertThat(acks.position()).isEqualTo(9);
        ninth.ack();
        assertThat(acks.position()).isEqualTo(10);
        acks.committed(10);
        assertThat(acks.uncommitted()).isFalse();
        acks.deliver(12);
        assertThat(acks.position()).isEqualTo(12);
        assertThat(acks.uncommitted()).isTrue();
    }
}
