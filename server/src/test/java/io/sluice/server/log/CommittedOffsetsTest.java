package io.sluice.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.config.TopicConfig;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** A group's offsets across topics, and their deletion: in memory, in storage, and after a restart. */
class CommittedOffsetsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    BrokerFixture fixture;

    @BeforeEach
    void start() {
        fixture = BrokerFixture.start(dir);
        fixture.broker().logs().create("a", 2, TopicConfig.defaults());
        fixture.broker().logs().create("b", 1, TopicConfig.defaults());
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private CommittedOffsets offsets() {
        return fixture.broker().logs().offsets();
    }

    @Test
    void listsGroupsAndAGroupsOffsetsAcrossTopics() {
        offsets().commit("g2", "b", Map.of(0, 0L)).block(TIMEOUT);
        offsets().commit("g1", "b", Map.of(0, 0L)).block(TIMEOUT);
        offsets().commit("g1", "a", Map.of(1, 0L, 0, 0L)).block(TIMEOUT);

        assertThat(offsets().groups()).containsExactly("g1", "g2");
        assertThat(offsets().fetch("g1").keySet()).containsExactly(
                new TopicPartition("a", 0), new TopicPartition("a", 1), new TopicPartition("b", 0));
        assertThat(offsets().fetch("nobody")).isEmpty();
    }

    @Test
    void deletingAGroupLeavesTheOthersAndSurvivesARestart() {
        offsets().commit("gone", "a", Map.of(0, 0L, 1, 0L)).block(TIMEOUT);
        offsets().commit("gone", "b", Map.of(0, 0L)).block(TIMEOUT);
        offsets().commit("kept", "a", Map.of(0, 0L)).block(TIMEOUT);

        offsets().deleteGroup("gone").block(TIMEOUT);

        assertThat(offsets().groups()).containsExactly("kept");
        assertThat(offsets().slowest(new TopicPartition("a", 1))).isEmpty();
        fixture.restart();
        assertThat(offsets().groups()).containsExactly("kept");
        assertThat(offsets().fetch("kept")).isEqualTo(Map.of(new TopicPartition("a", 0), 0L));
    }

    @Test
    void aDeletionRightAfterACommitRemovesItEvenBeforeItIsVisible() {
        // Submitted back to back, the two may share one write: the deletion must still cover the commit.
        Mono<Void> commit = offsets().commit("racy", "a", Map.of(1, 0L));
        Mono<Void> delete = offsets().deleteGroup("racy");
        commit.then(delete).block(TIMEOUT);

        assertThat(offsets().groups()).doesNotContain("racy");
        fixture.restart();
        assertThat(offsets().groups()).doesNotContain("racy");
    }

    @Test
    void aCommitIsVisibleOnceWrittenEvenIfNobodyWaitsForIt() {
        offsets().commit("fire-and-forget", "b", Map.of(0, 0L));
        // Ops complete in order: once a later one is written, the first is visible.
        offsets().commit("other", "b", Map.of(0, 0L)).block(TIMEOUT);

        assertThat(offsets().fetch("fire-and-forget", "b")).isEqualTo(Map.of(0, 0L));
    }
}
