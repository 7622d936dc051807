package io.sluice.examples.photos;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.client.DeadLetterInfo;
import io.sluice.server.testing.BrokerFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhotoWorkersTest {
    @TempDir
    Path dir;

    @Test
    void everyJobIsProcessedOnceOrDeadLetteredWithItsReason() {
        PhotoWorkers.Settings settings = PhotoWorkers.Settings.defaults();
        PhotoWorkers.Result result;
        try (BrokerFixture broker = BrokerFixture.start(dir)) {
            result = PhotoWorkers.run(broker.bootstrap(), settings);
        }
        assertThat(result.passed()).isTrue();

        // 2 000 jobs: 2 % fail once, 0.5 % are poison, chosen by id.
        PhotoJobs jobs = result.jobs();
        assertThat(jobs.count()).isEqualTo(2_000);
        assertThat(jobs.transients()).hasSize(40).doesNotContainAnyElementsOf(jobs.poison().keySet());
        assertThat(jobs.poison()).hasSize(10);
        assertThat(result.produced()).hasSize(2_000);

        assertThat(result.processed()).isEqualTo(1_990);
        assertThat(result.duplicates()).isZero();
        assertThat(result.retried()).isEqualTo(40);
        assertThat(result.redeliveries()).isEqualTo(40);
        assertThat(result.settleErrors()).isZero();
        assertThat(result.rejected()).isEqualTo(jobs.poison());
        assertThat(result.queue().backlog()).isZero();
        assertThat(result.queue().deadLettered()).isEqualTo(10);
        // Eight workers on four partitions, and every one of them took part.
        assertThat(result.perWorker()).hasSize(8).allSatisfy(n -> assertThat(n).isPositive());
        assertThat(result.perWorker().stream().mapToLong(Long::longValue).sum()).isEqualTo(1_990);

        // Each poison job's dead letter: its reason, and where it was in the jobs topic.
        Map<Integer, DeadLetterInfo> deadLetters = result.deadLetters().stream()
                .collect(Collectors.toMap(d -> PhotoJobs.id(new String(d.key(), StandardCharsets.UTF_8)), Function.identity()));
        assertThat(deadLetters).hasSize(10).containsOnlyKeys(jobs.poison().keySet());
        String topic = result.queue().topic();
        jobs.poison().forEach((id, reason) -> {
            DeadLetterInfo d = deadLetters.get(id);
            PhotoWorkers.Coordinates stored = result.produced().get(id);
            assertThat(d.reason()).isEqualTo(reason);
            assertThat(d.originalTopic()).isEqualTo(topic);
            assertThat(d.originalPartition()).isEqualTo(stored.partition());
            assertThat(d.originalOffset()).isEqualTo(stored.offset());
            assertThat(d.topic()).isEqualTo(topic + ".dlq");
            assertThat(d.queue()).isEqualTo(result.queue().name());
            assertThat(d.deliveryCount()).isEqualTo(1);
            assertThat(new String(d.value(), StandardCharsets.UTF_8)).isEqualTo(PhotoJobs.value(id));
        });
        assertThat(result.deadLetterProblems()).isEmpty();

        // `sluice dlq peek` ran and listed each poison job with where it came from and why.
        DeadLetterPeek peek = result.peek();
        assertThat(peek.command())
                .matches("bin/sluice dlq peek " + Pattern.quote(topic + ".dlq") + " --bootstrap 127\\.0\\.0\\.1:\\d+");
        assertThat(peek.exit()).isZero();
        assertThat(peek.err()).isEmpty();
        assertThat(peek.out()).startsWith("PARTITION  OFFSET  FROM").hasLineCount(11);
        jobs.poison().forEach((id, reason) -> {
            PhotoWorkers.Coordinates stored = result.produced().get(id);
            assertThat(peek.out()).containsPattern("(?m)^\\d+ +\\d+ +" + Pattern.quote(topic + "-" + stored.partition() + "@"
                    + stored.offset()) + " +" + result.queue().name() + " +1 +\\S+Z +" + Pattern.quote(reason) + " +"
                    + PhotoJobs.key(id) + " +" + Pattern.quote(PhotoJobs.value(id)) + "$");
        });
    }

    @Test
    void theFailingJobsAreChosenBySeedAndDoNotOverlap() {
        PhotoJobs jobs = PhotoJobs.generate(2_000, 0.02, 0.005, 42);
        assertThat(PhotoJobs.generate(2_000, 0.02, 0.005, 42)).isEqualTo(jobs);
        assertThat(PhotoJobs.generate(2_000, 0.02, 0.005, 43).poison()).isNotEqualTo(jobs.poison());
        assertThat(jobs.transients()).hasSize(40).doesNotContainAnyElementsOf(jobs.poison().keySet());
        assertThat(jobs.poison()).hasSize(10).allSatisfy((id, reason) -> assertThat(reason).isNotBlank());
        assertThat(PhotoJobs.id(PhotoJobs.key(1234))).isEqualTo(1234);
    }
}
