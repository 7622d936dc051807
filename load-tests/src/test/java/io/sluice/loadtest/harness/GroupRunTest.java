package io.sluice.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.AssignmentEvent;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The consumer group scenario at tiny scale against an in-process broker. */
class GroupRunTest {
    @TempDir
    Path dir;

    @Test
    void four_members_read_every_record_once_and_report_their_rebalances() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(dir.resolve("data"));
             BrokerTarget target = BrokerTarget.external(broker.bootstrap(), ProcessHandle.current().pid())) {
            List<AssignmentEvent> events = new CopyOnWriteArrayList<>();
            var log = broker.broker().groups().events().subscribe(events::add);
            // Small credit, so the first member is unlikely to read the whole topic before the others join.
            GroupRun.Settings settings = new GroupRun.Settings(20_000, 100, 8, 4, 2_000, Duration.ofSeconds(60),
                    Duration.ofSeconds(20), 0, 500, 64 * 1024);

            GroupResult result = new GroupRun(target, null).run(settings);

            assertThat(result.errors()).isEmpty();
            assertThat(result.records()).isEqualTo(20_000);
            assertThat(result.consumed()).isEqualTo(20_000);
            assertThat(result.duplicates()).isZero();
            assertThat(result.gaps()).isZero();
            assertThat(result.memberRecords()).hasSize(4);
            assertThat(result.memberRecords().stream().mapToLong(Long::longValue).sum()).isEqualTo(20_000);
            assertThat(result.firstAssignMs()).isPositive();
            assertThat(result.stableMs()).isGreaterThanOrEqualTo(result.firstAssignMs());
            assertThat(result.leaveMs()).isPositive();
            assertThat(result.seconds()).isGreaterThanOrEqualTo(result.fetchSeconds()).isPositive();
            assertThat(result.complete()).isTrue();
            assertThat(result.tsvRow().split("\t")).hasSameSizeAs(GroupResult.TSV_HEADER.split("\t"));
            // The broker's own assignment log: it gave all eight partitions out, to all four members.
            log.dispose();
            List<AssignmentEvent> assigned = events.stream()
                    .filter(e -> e.group().equals(result.group()) && e.kind() == AssignmentEvent.Kind.ASSIGNED).toList();
            assertThat(assigned.stream().map(e -> e.partition().partition()).collect(Collectors.toSet())).hasSize(8);
            assertThat(assigned.stream().map(AssignmentEvent::memberId).collect(Collectors.toSet())).hasSize(4);
        }
    }
}
