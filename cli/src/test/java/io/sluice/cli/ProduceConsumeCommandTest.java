package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.testing.BrokerFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProduceConsumeCommandTest {
    BrokerFixture fixture;
    Cli cli;
    String bootstrap;

    @BeforeAll
    void start(@TempDir Path dir) {
        fixture = BrokerFixture.start(dir);
        bootstrap = fixture.bootstrap();
        cli = new Cli(Map.of());
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    private Cli.Result sluice(String stdin, String... args) {
        String[] withBootstrap = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--bootstrap", bootstrap))
                .toArray(String[]::new);
        return cli.runWithInput(stdin, withBootstrap);
    }

    private void create(String topic, int partitions) {
        assertThat(sluice("", "topics", "create", topic, "--partitions", String.valueOf(partitions)).exit()).isZero();
    }

    @Test
    void thousandKeyedLinesGoInAndComeBackWithKeysAndOffsets() {
        create("lines", 3);
        String input = IntStream.range(0, 1000).mapToObj(i -> "user" + (i % 17) + ":event " + i).collect(Collectors.joining("\n", "", "\n"));

        Cli.Result produced = sluice(input, "produce", "--topic", "lines", "--key-separator", ":");
        assertThat(produced.exit()).as(produced.toString()).isZero();
        assertThat(produced.out()).isEmpty();
        assertThat(produced.err()).startsWith("Produced 1000 records (").contains("records/s").hasLineCount(1);

        Cli.Result consumed = sluice("", "consume", "--topic", "lines", "--from", "beginning", "--max", "1000",
                "--print-key", "--print-offset");
        assertThat(consumed.exit()).as(consumed.err()).isZero();
        List<String> lines = consumed.out().lines().toList();
        assertThat(lines).hasSize(1000);
        java.util.Map<String, Long> nextOffset = new java.util.HashMap<>();
        java.util.Map<String, Integer> partitionOfKey = new java.util.HashMap<>();
        java.util.Set<String> values = new java.util.HashSet<>();
        for (String line : lines) {
            String[] fields = line.split("\t");
            assertThat(fields).hasSize(4);
            String partition = fields[0];
            long offset = Long.parseLong(fields[1].substring("Offset:".length()));
            assertThat(offset).isEqualTo(nextOffset.getOrDefault(partition, 0L));
            nextOffset.put(partition, offset + 1);
            int i = Integer.parseInt(fields[3].substring("event ".length()));
            assertThat(fields[2]).isEqualTo("user" + (i % 17));
            assertThat(partitionOfKey.putIfAbsent(fields[2], Integer.parseInt(partition.substring("Partition:".length()))))
                    .isIn(null, Integer.parseInt(partition.substring("Partition:".length())));
            values.add(fields[3]);
        }
        assertThat(values).hasSize(1000);
        assertThat(nextOffset).hasSize(3);
    }

    @Test
    void compressedProduceReadsBackAndAnUnknownCodecIsAUsageError() {
        create("zipped", 1);
        Cli.Result produced = sluice("one\ntwo\nthree\n", "produce", "--topic", "zipped", "--compression", "zstd");
        assertThat(produced.exit()).as(produced.toString()).isZero();
        Cli.Result consumed = sluice("", "consume", "--topic", "zipped", "--from", "beginning", "--max", "3");
        assertThat(consumed.out()).isEqualTo("one\ntwo\nthree\n");
        Cli.Result bad = sluice("x\n", "produce", "--topic", "zipped", "--compression", "brotli");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown --compression 'brotli'");
    }

    @Test
    void produceOptionsPartitionHeadersAcksAndPrintOffsets() {
        create("opts", 2);
        Cli.Result produced = sluice("a\nb\nc\n", "produce", "--topic", "opts", "--partition", "1", "--header", "src=cli",
                "--header", "v=2", "--acks", "all", "--print-offsets");
        assertThat(produced.exit()).as(produced.toString()).isZero();
        assertThat(produced.out()).isEqualTo("1\t0\n1\t1\n1\t2\n");
        assertThat(produced.err()).startsWith("Produced 3 records (3 B)");

        assertThat(sluice("d\n", "produce", "--topic", "opts", "--partition", "1", "--acks", "none").exit()).isZero();
        assertThat(sluice("e\n", "produce", "--topic", "opts", "--partition", "1", "--acks", "LEADER").exit()).isZero();

        Cli.Result consumed = sluice("", "consume", "--topic", "opts", "--partition", "1", "--from", "beginning", "--max", "5",
                "--print-headers", "--print-offset");
        assertThat(consumed.exit()).as(consumed.toString()).isZero();
        assertThat(consumed.out()).isEqualTo("""
                Partition:1\tOffset:0\tHeaders:src=cli,v=2\ta
                Partition:1\tOffset:1\tHeaders:src=cli,v=2\tb
                Partition:1\tOffset:2\tHeaders:src=cli,v=2\tc
                Partition:1\tOffset:3\tNO_HEADERS\td
                Partition:1\tOffset:4\tNO_HEADERS\te
                """);
        // Partition 0 got nothing: --timeout ends the idle consumer with no output and success.
        Cli.Result empty = sluice("", "consume", "--topic", "opts", "--partition", "0", "--from", "beginning", "--timeout", "300ms");
        assertThat(empty.exit()).isZero();
        assertThat(empty.out()).isEmpty();
    }

    @Test
    void consumeStartPositionsAndTimeout() {
        create("starts", 1);
        sluice("r0\nr1\nr2\nr3\n", "produce", "--topic", "starts");
        assertThat(sluice("", "consume", "--topic", "starts", "--from", "offset:2", "--timeout", "500ms").out()).isEqualTo("r2\nr3\n");
        assertThat(sluice("", "consume", "--topic", "starts", "--from", "time:2000-01-01T00:00:00Z", "--max", "1").out()).isEqualTo("r0\n");
        assertThat(sluice("", "consume", "--topic", "starts", "--from", "time:2999-01-01T00:00:00Z", "--timeout", "300ms").out()).isEmpty();
        // The default start is the end: old records are not printed.
        assertThat(sluice("", "consume", "--topic", "starts", "--timeout", "500ms").out()).isEmpty();
    }

    @Test
    void jsonFormatWithTextAndBinaryValues() {
        create("json", 1);
        sluice("k1|hello \"world\"\n|\n", "produce", "--topic", "json", "--key-separator", "|", "--header", "h=x");
        try (io.sluice.client.SluiceClient client = io.sluice.client.SluiceClient.connect(bootstrap)) {
            client.producer(io.sluice.client.ProducerOptions.bytes())
                    .send(io.sluice.client.ProducerRecord.of("json", (byte[]) null, new byte[] {(byte) 0xff, 0x00, 0x10}))
                    .block(java.time.Duration.ofSeconds(10));
        }
        Cli.Result consumed = sluice("", "consume", "--topic", "json", "--from", "beginning", "--max", "3", "--format", "json");
        assertThat(consumed.exit()).as(consumed.toString()).isZero();
        List<String> lines = consumed.out().lines().toList();
        assertThat(lines.get(0)).matches("\\{\"topic\":\"json\",\"partition\":0,\"offset\":0,\"timestamp\":\\d+,"
                + "\"key\":\"k1\",\"value\":\"hello \\\\\"world\\\\\"\",\"headers\":\\[\\{\"key\":\"h\",\"value\":\"x\"}]}");
        assertThat(lines.get(1)).contains("\"offset\":1,", "\"key\":\"\",\"value\":\"\"");
        assertThat(lines.get(2)).contains("\"key\":null,\"value\":\"/wAQ\",\"valueEncoding\":\"base64\",\"headers\":[]");
    }

    @Test
    void aGroupConsumerCommitsWhatItPrintedAndTheNextOneGoesOnFromThere() {
        create("shared", 2);
        assertThat(sluice("a\nb\nc\n", "produce", "--topic", "shared", "--partition", "0").exit()).isZero();
        assertThat(sluice("d\ne\n", "produce", "--topic", "shared", "--partition", "1").exit()).isZero();

        Cli.Result first = sluice("", "consume", "--topic", "shared", "--group", "readers", "--from", "beginning", "--max", "5");
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.out().lines().toList()).containsExactlyInAnyOrder("a", "b", "c", "d", "e");
        // Committed on exit: nothing left to read.
        Cli.Result described = sluice("", "groups", "describe", "readers");
        assertThat(described.out()).contains("State: EMPTY").containsPattern("(?m)^shared +0 +3 +3 +0 +-$")
                .containsPattern("(?m)^shared +1 +2 +2 +0 +-$");

        assertThat(sluice("f\n", "produce", "--topic", "shared", "--partition", "1").exit()).isZero();
        // --from beginning no longer applies: the group has committed offsets.
        Cli.Result next = sluice("", "consume", "--topic", "shared", "--group", "readers", "--from", "beginning", "--timeout", "3s");
        assertThat(next.exit()).as(next.toString()).isZero();
        assertThat(next.out()).isEqualTo("f\n");
    }

    @Test
    void usageErrorsAreOneLineWithExitCode2() {
        create("usage", 1);
        Cli.Result groupAndPartition = sluice("", "consume", "--topic", "usage", "--group", "g1", "--partition", "0");
        assertThat(groupAndPartition.exit()).isEqualTo(2);
        assertThat(groupAndPartition.err()).startsWith("sluice consume: --partition cannot be combined with --group").hasLineCount(1);
        Cli.Result badGroup = sluice("", "consume", "--topic", "usage", "--group", "");
        assertThat(badGroup.exit()).isEqualTo(2);
        assertThat(badGroup.err()).startsWith("sluice consume: --group: group must be 1 to 255 characters").hasLineCount(1);

        Cli.Result badFlag = sluice("", "produce", "--topic", "usage", "--bogus");
        assertThat(badFlag.exit()).isEqualTo(2);
        assertThat(badFlag.err()).isEqualTo("sluice produce: Unknown option: '--bogus' (see 'sluice produce --help')\n");

        Cli.Result missingTopic = sluice("", "consume");
        assertThat(missingTopic.exit()).isEqualTo(2);
        assertThat(missingTopic.err()).contains("--topic").hasLineCount(1);

        for (String[] bad : new String[][] {{"--from", "yesterday"}, {"--from", "offset:-1"}, {"--timeout", "soon"},
                {"--format", "xml"}, {"--max", "0"}}) {
            Cli.Result result = sluice("", "consume", "--topic", "usage", bad[0], bad[1]);
            assertThat(result.exit()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(result.err()).as(String.join(" ", bad)).hasLineCount(1).doesNotContain("\tat ");
        }
        Cli.Result badAcks = sluice("x\n", "produce", "--topic", "usage", "--acks", "some");
        assertThat(badAcks.exit()).isEqualTo(2);
        Cli.Result badHeader = sluice("x\n", "produce", "--topic", "usage", "--header", "novalue");
        assertThat(badHeader.exit()).isEqualTo(2);
        assertThat(badHeader.err()).contains("KEY=VALUE").hasLineCount(1);
    }

    @Test
    void runtimeErrorsAreOneLineWithExitCode1() {
        Cli.Result unknownProduce = sluice("x\n", "produce", "--topic", "ghost");
        assertThat(unknownProduce.exit()).isEqualTo(1);
        assertThat(unknownProduce.err()).startsWith("sluice produce: ").contains("ghost").hasLineCount(1);

        Cli.Result unknownConsume = sluice("", "consume", "--topic", "ghost", "--max", "1");
        assertThat(unknownConsume.exit()).isEqualTo(1);
        assertThat(unknownConsume.err()).startsWith("sluice consume: ").contains("ghost").hasLineCount(1);

        create("strict", 1);
        Cli.Result noSeparator = sluice("k:v\nnoseparator\n", "produce", "--topic", "strict", "--key-separator", ":");
        assertThat(noSeparator.exit()).isEqualTo(1);
        assertThat(noSeparator.err()).isEqualTo("sluice produce: line 2 has no key separator ':'\n");

        Cli.Result badPartition = sluice("x\n", "produce", "--topic", "strict", "--partition", "5");
        assertThat(badPartition.exit()).isEqualTo(1);
        assertThat(badPartition.err()).contains("5").hasLineCount(1);
    }

    @Test
    void fromTimeStartsAtTheFirstRecordAtOrAfterThatTime() {
        create("timed", 1);
        long t = java.time.Instant.parse("2026-01-31T12:00:00Z").toEpochMilli();
        var request = io.sluice.proto.v1.ProduceRequest.newBuilder().setTopic("timed").setPartition(0);
        for (int i = 0; i < 6; i++) {
            // One record a minute from 11:57 to 12:02.
            request.addRecords(io.sluice.proto.v1.Record.newBuilder()
                    .setValue(com.google.protobuf.ByteString.copyFromUtf8("minute " + i))
                    .setTimestampMs(t + (i - 3) * 60_000L));
        }
        var response = io.sluice.proto.v1.ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                .produce(reactor.core.publisher.Flux.just(request.build())).blockLast(java.time.Duration.ofSeconds(10));
        assertThat(response.getErrorMessage()).isEmpty();

        Cli.Result consumed = sluice("", "consume", "--topic", "timed", "--from", "time:2026-01-31T12:00:00Z", "--max", "3",
                "--print-offset");
        assertThat(consumed.exit()).as(consumed.err()).isZero();
        assertThat(consumed.out().lines().toList()).containsExactly("Partition:0\tOffset:3\tminute 3", "Partition:0\tOffset:4\tminute 4",
                "Partition:0\tOffset:5\tminute 5");
        Cli.Result offsetZone = sluice("", "consume", "--topic", "timed", "--from", "time:2026-01-31T13:01:30+01:00",
                "--max", "1");
        assertThat(offsetZone.out()).isEqualTo("minute 5\n");
    }

    @Test
    void brokerDownIsReportedWithTheAddress(@TempDir Path other) {
        int port;
        try (BrokerFixture gone = BrokerFixture.start(other)) {
            port = gone.port();
        }
        Cli.Result down = cli.run("topics", "list", "--bootstrap", "127.0.0.1:" + port, "--retry-for", "300ms");
        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.err()).startsWith("sluice topics list: cannot reach the broker at 127.0.0.1:" + port).hasLineCount(1);
        Cli.Result produce = cli.runWithInput("x\n", "produce", "--topic", "t", "--partition", "0", "--bootstrap", "127.0.0.1:" + port,
                "--retry-for", "300ms");
        assertThat(produce.exit()).isEqualTo(1);
        assertThat(produce.err()).contains("cannot reach the broker").hasLineCount(1);
    }
}
