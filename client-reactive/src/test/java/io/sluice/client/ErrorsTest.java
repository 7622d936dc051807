package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.server.error.SluiceException;
import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Every broker error reaches the application as a typed exception with the broker's message. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    BrokerFixture fixture;
    SluiceClient client;
    SluiceAdmin admin;

    @BeforeAll
    void start(@TempDir Path dir) {
        fixture = BrokerFixture.start(dir);
        client = SluiceClient.connect(fixture.bootstrap());
        admin = client.admin();
        admin.createTopic("small", 2, Map.of("max.message.bytes", "100")).block(TIMEOUT);
    }

    @AfterAll
    void stop() {
        client.close();
        fixture.close();
    }

    @Test
    void unknownTopicOnEveryPath() {
        StepVerifier.create(admin.describeTopic("nope"))
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(TopicNotFoundException.class).hasMessageContaining("nope"));
        StepVerifier.create(admin.deleteTopic("nope")).verifyError(TopicNotFoundException.class);
        StepVerifier.create(client.producer(ProducerOptions.strings()).send(ProducerRecord.of("nope", "k", "v")))
                .verifyError(TopicNotFoundException.class);
        StepVerifier.create(client.producer(ProducerOptions.strings()).send(ProducerRecord.of("nope", "k", "v").withPartition(0)))
                .verifyError(TopicNotFoundException.class);
        StepVerifier.create(client.consumer(ConsumerOptions.strings().topics("nope")).receive())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TopicNotFoundException.class).hasMessageContaining("nope"))
                .verify(TIMEOUT);
    }

    @Test
    void topicAlreadyExists() {
        StepVerifier.create(admin.createTopic("small", 1)).verifyError(TopicAlreadyExistsException.class);
    }

    @Test
    void invalidTopicNameAndPartitionCount() {
        StepVerifier.create(admin.createTopic("bad/name", 1))
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidTopicException.class).hasMessageContaining("bad/name"));
        StepVerifier.create(admin.createTopic("zero", 0)).verifyError(InvalidPartitionException.class);
    }

    @Test
    void invalidPartition() {
        StepVerifier.create(client.producer(ProducerOptions.strings()).send(ProducerRecord.of("small", "k", "v").withPartition(7)))
                .verifyError(InvalidPartitionException.class);
        StepVerifier.create(client.consumer(ConsumerOptions.strings().partitions("small", 9)).receive())
                .expectError(InvalidPartitionException.class)
                .verify(TIMEOUT);
    }

    @Test
    void recordTooLargeCarriesTheBrokersMessage() {
        StepVerifier.create(client.producer(ProducerOptions.strings()).send(Flux.just(
                        ProducerRecord.of("small", "k", "fits"), ProducerRecord.of("small", "k", "x".repeat(500)))))
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(RecordTooLargeException.class)
                        .hasMessageContaining("max.message.bytes"));
    }

    @Test
    void invalidConfig() {
        StepVerifier.create(admin.createTopic("configured", 1, Map.of("no.such.key", "1")))
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidConfigException.class).hasMessageContaining("no.such.key"));
        StepVerifier.create(admin.alterTopicConfigs("small", Map.of("retention.ms", "soon"), java.util.List.of()))
                .verifyError(InvalidConfigException.class);
    }

    @Test
    void offsetsOutOfRangeOrNegative() {
        StepVerifier.create(client.consumer(ConsumerOptions.strings().topics("small").start(StartPosition.offset(1000))).receive())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(OffsetOutOfRangeException.class).hasMessageContaining("1000"))
                .verify(TIMEOUT);
        StepVerifier.create(client.consumer(ConsumerOptions.strings().topics("small").start(StartPosition.offset(-1))).receive())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidRequestException.class)
                        .satisfies(x -> assertThat(((InvalidRequestException) x).code()).isEqualTo(ErrorCode.INVALID_OFFSET)))
                .verify(TIMEOUT);
    }

    @Test
    void brokerDownFailsWithBrokerUnavailableOnceTheDeadlinePasses(@TempDir Path other) {
        int port;
        try (BrokerFixture gone = BrokerFixture.start(other)) {
            port = gone.port();
        }
        try (SluiceClient down = SluiceClient.builder().bootstrap("127.0.0.1:" + port).retryDeadline(Duration.ofMillis(500)).build()) {
            StepVerifier.create(down.admin().listTopics())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BrokerUnavailableException.class)
                            .satisfies(x -> assertThat(((io.sluice.client.SluiceException) x).retriable()).isTrue()))
                    .verify(TIMEOUT);
            StepVerifier.create(down.consumer(ConsumerOptions.strings().topics("t")).receive())
                    .expectError(BrokerUnavailableException.class)
                    .verify(TIMEOUT);
            StepVerifier.create(down.producer(ProducerOptions.strings()).send(ProducerRecord.of("t", "k", "v").withPartition(0)))
                    .expectError(BrokerUnavailableException.class)
                    .verify(TIMEOUT);
        }
    }

    /** Each code maps to one exception type, whatever path it arrives by (a response code or a gRPC status). */
    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"ERROR_CODE_NONE", "UNRECOGNIZED"}, mode = EnumSource.Mode.EXCLUDE)
    void everyErrorCodeMapsToATypedException(ErrorCode code) {
        Throwable fromStatus = Errors.map(new SluiceException(code, "broker says why").toStatus());
        io.sluice.client.SluiceException typed = Errors.of(code, "broker says why", null);
        assertThat(fromStatus).isInstanceOf(typed.getClass()).hasMessage("broker says why");
        assertThat(((io.sluice.client.SluiceException) fromStatus).code()).isEqualTo(code);
        assertThat(typed.retriable()).isEqualTo(code == ErrorCode.BROKER_UNAVAILABLE);
        Class<?> expected = switch (code) {
            case UNKNOWN_TOPIC -> TopicNotFoundException.class;
            case TOPIC_ALREADY_EXISTS -> TopicAlreadyExistsException.class;
            case INVALID_TOPIC_NAME -> InvalidTopicException.class;
            case INVALID_PARTITION, INVALID_PARTITION_COUNT -> InvalidPartitionException.class;
            case RECORD_TOO_LARGE -> RecordTooLargeException.class;
            case INVALID_CONFIG -> InvalidConfigException.class;
            case OFFSET_OUT_OF_RANGE -> OffsetOutOfRangeException.class;
            case LIMIT_EXCEEDED -> LimitExceededException.class;
            case BROKER_UNAVAILABLE -> BrokerUnavailableException.class;
            case OUT_OF_ORDER_SEQUENCE -> OutOfOrderSequenceException.class;
            case MEMBER_FENCED -> MemberFencedException.class;
            case GROUP_NOT_EMPTY -> GroupNotEmptyException.class;
            case UNKNOWN_GROUP -> GroupNotFoundException.class;
            case UNKNOWN_QUEUE -> QueueNotFoundException.class;
            case LOCK_LOST -> LockLostException.class;
            case QUEUE_IN_USE -> QueueInUseException.class;
            case INTERNAL_ERROR -> io.sluice.client.SluiceException.class;
            default -> InvalidRequestException.class;
        };
        assertThat(typed).isExactlyInstanceOf(expected);
    }

    @Test
    void plainGrpcStatusesAreClassifiedToo() {
        assertThat(Errors.map(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException()))
                .isInstanceOf(BrokerUnavailableException.class);
        assertThat(Errors.map(Status.RESOURCE_EXHAUSTED.withDescription("message too large").asRuntimeException()))
                .isInstanceOf(RecordTooLargeException.class);
    }
}
