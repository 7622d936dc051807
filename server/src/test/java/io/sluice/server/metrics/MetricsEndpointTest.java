package io.sluice.server.metrics;

import static io.sluice.server.testing.Protos.credit;
import static io.sluice.server.testing.Protos.earliest;
import static io.sluice.server.testing.Protos.produce;
import static io.sluice.server.testing.Protos.record;
import static io.sluice.server.testing.Protos.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.proto.v1.CommitOffsetsRequest;
import io.sluice.proto.v1.ConsumeRequest;
import io.sluice.proto.v1.ConsumeResponse;
import io.sluice.proto.v1.CreateTopicRequest;
import io.sluice.proto.v1.ErrorCode;
import io.sluice.proto.v1.ProduceRequest;
import io.sluice.proto.v1.ProduceResponse;
import io.sluice.proto.v1.ReactorAdminServiceGrpc;
import io.sluice.proto.v1.ReactorConsumerServiceGrpc;
import io.sluice.proto.v1.ReactorProducerServiceGrpc;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.testing.BrokerFixture;
import io.sluice.server.testing.QueueWorker;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

class MetricsEndpointTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aScrapeAfterTrafficHoldsTheExpectedSeriesWithPlausibleValues() throws Exception {
        int port = freePort();
        try (BrokerFixture fixture = BrokerFixture.start(dir, Map.of(BrokerConfig.METRICS_PORT, String.valueOf(port),
                BrokerConfig.METRICS_PARTITION_LIMIT, "2"))) {
            assertThat(fixture.broker().metricsPort()).isEqualTo(port);
            var admin = ReactorAdminServiceGrpc.newReactorStub(fixture.channel());
            admin.createTopic(CreateTopicRequest.newBuilder().setName("orders").setPartitions(2).build()).block(WAIT);
            admin.createTopic(CreateTopicRequest.newBuilder().setName("wide").setPartitions(3).build()).block(WAIT);

            // 10 batches of 10 records to orders, 1 batch to wide, one refused batch (unknown topic).
            List<ProduceRequest> requests = new ArrayList<>();
            for (int b = 0; b < 10; b++) {
                var request = produce(b, "orders").setPartition(b % 2);
                for (int r = 0; r < 10; r++) {
                    request.addRecords(record("k" + r, "value-" + b + "-" + r));
                }
                requests.add(request.build());
            }
            requests.add(produce(10, "wide", record("a", "b")).build());
            requests.add(produce(11, "missing", record("a", "b")).build());
            List<ProduceResponse> responses = ReactorProducerServiceGrpc.newReactorStub(fixture.channel())
                    .produce(Flux.fromIterable(requests)).collectList().block(WAIT);
            assertThat(responses).hasSize(12);
            assertThat(responses.get(11).getErrorCode()).isEqualTo(ErrorCode.UNKNOWN_TOPIC);

            // A group committed part of orders, and the start of wide.
            admin.commitOffsets(CommitOffsetsRequest.newBuilder().setGroup("billing").setTopic("orders")
                    .putOffsets(0, 20).putOffsets(1, 50).build()).block(WAIT);
            admin.commitOffsets(CommitOffsetsRequest.newBuilder().setGroup("billing").setTopic("wide")
                    .putOffsets(0, 0).putOffsets(1, 0).putOffsets(2, 0).build()).block(WAIT);

            // A consumer reads the 100 records of orders and stays open.
            Sinks.Many<ConsumeRequest> in = Sinks.many().unicast().onBackpressureBuffer();
            in.tryEmitNext(subscribe("orders", earliest()));
            in.tryEmitNext(credit(1000, 1 << 20));
            AtomicLong received = new AtomicLong();
            Disposable consumer = ReactorConsumerServiceGrpc.newReactorStub(fixture.channel()).consume(in.asFlux())
                    .filter(ConsumeResponse::hasBatch)
                    .subscribe(r -> received.addAndGet(r.getBatch().getBatch().getRecordCount()));
            try {
                await().atMost(WAIT).until(() -> received.get() == 100);
                // The producer stream's end reaches the broker asynchronously.
                await().atMost(WAIT).until(() -> Scrape.of(port).value("sluice_streams_active", "kind", "producer")
                        .orElse(-1) == 0);
                Scrape scrape = Scrape.of(port);
                Files.writeString(Path.of("target", "scrape-sample.txt"), scrape.text());

                // Every series carries the one prefix.
                assertThat(scrape.samples()).allSatisfy(s -> assertThat(s.name()).startsWith("sluice_"));

                // Produce: batches, records, bytes and latency per topic; failures by code, not by topic.
                assertThat(scrape.value("sluice_produce_batches_total", "topic", "orders")).hasValue(10);
                assertThat(scrape.value("sluice_produce_records_total", "topic", "orders")).hasValue(100);
                assertThat(scrape.value("sluice_produce_records_total", "topic", "wide")).hasValue(1);
                assertThat(scrape.value("sluice_produce_bytes_total", "topic", "orders").orElseThrow())
                        .isGreaterThan(100 * "value-0-0".length());
                assertThat(scrape.value("sluice_produce_latency_seconds_count", "topic", "orders")).hasValue(10);
                assertThat(scrape.value("sluice_produce_latency_seconds_sum", "topic", "orders").orElseThrow())
                        .isPositive().isLessThan(10);
                assertThat(scrape.value("sluice_produce_latency_seconds_bucket", "topic", "orders", "le", "+Inf"))
                        .hasValue(10);
                assertThat(scrape.value("sluice_produce_errors_total", "code", "UNKNOWN_TOPIC")).hasValue(1);
                assertThat(scrape.any("sluice_produce_records_total", "topic", "missing")).isFalse();

                // Consume: records and bytes out per topic, and the age of what was delivered.
                assertThat(scrape.value("sluice_consumer_records_sent_total", "topic", "orders")).hasValue(100);
                assertThat(scrape.value("sluice_consumer_bytes_sent_bytes_total", "topic", "orders").orElseThrow())
                        .isEqualTo(scrape.value("sluice_produce_bytes_total", "topic", "orders").orElseThrow());
                assertThat(scrape.value("sluice_consumer_delivery_age_seconds_count", "topic", "orders").orElseThrow())
                        .isGreaterThanOrEqualTo(1);
                assertThat(scrape.value("sluice_consumer_delivery_age_seconds_max", "topic", "orders").orElseThrow())
                        .isGreaterThanOrEqualTo(0).isLessThan(WAIT.toSeconds() * 2);
                assertThat(scrape.value("sluice_consumer_credit_granted_records_total")).hasValue(1000);

                // Streams by kind: the consumer is open, the producer has gone.
                assertThat(scrape.value("sluice_streams_active", "kind", "consumer")).hasValue(1);
                assertThat(scrape.value("sluice_streams_active", "kind", "producer")).hasValue(0);

                // Per-topic log gauges for every topic; per-partition ones only within metrics.partition.limit.
                assertThat(scrape.value("sluice_topic_partitions", "topic", "wide")).hasValue(3);
                assertThat(scrape.sum("sluice_log_end_offset", "topic", "orders")).isEqualTo(100);
                assertThat(scrape.value("sluice_log_end_offset", "topic", "orders", "partition", "1")).hasValue(50);
                assertThat(scrape.any("sluice_log_end_offset", "topic", "wide")).isFalse();
                assertThat(scrape.value("sluice_topic_size_bytes", "topic", "orders").orElseThrow()).isPositive();

                // Consumer lag per group and topic, and per partition within metrics.partition.limit.
                assertThat(scrape.value("sluice_group_lag", "group", "billing", "topic", "orders")).hasValue(30);
                assertThat(scrape.value("sluice_group_partition_lag", "group", "billing", "topic", "orders",
                        "partition", "0")).hasValue(30);
                assertThat(scrape.value("sluice_group_partition_lag", "group", "billing", "topic", "orders",
                        "partition", "1")).hasValue(0);
                assertThat(scrape.value("sluice_group_lag", "group", "billing", "topic", "wide")).hasValue(1);
                assertThat(scrape.any("sluice_group_partition_lag", "topic", "wide")).isFalse();

                // Throttle reasons are all there from the start.
                assertThat(scrape.value("sluice_produce_credit_throttled_total", "reason", "QUOTA")).hasValue(0);

                // RocksDB.
                assertThat(scrape.value("sluice_storage_write_stopped")).hasValue(0);
                assertThat(scrape.value("sluice_storage_compaction_pending_bytes").orElseThrow()).isGreaterThanOrEqualTo(0);
                assertThat(scrape.value("sluice_storage_memtable_size_bytes").orElseThrow()).isPositive();
                assertThat(scrape.value("sluice_storage_sst_size_bytes").orElseThrow()).isGreaterThanOrEqualTo(0);
                assertThat(scrape.value("sluice_storage_live_data_size_bytes").orElseThrow()).isGreaterThanOrEqualTo(0);
                assertThat(scrape.value("sluice_storage_write_stall_seconds_total").orElseThrow()).isGreaterThanOrEqualTo(0);
                assertThat(scrape.any("sluice_storage_block_cache_hits_total")).isTrue();

                // gRPC calls and statuses.
                assertThat(scrape.value("sluice_grpc_server_processing_duration_seconds_count",
                        "method", "CreateTopic", "statusCode", "OK")).hasValue(2);
                assertThat(scrape.value("sluice_grpc_server_requests_received_messages_total", "method", "Produce"))
                        .hasValue(12);

                // The JVM and the process.
                assertThat(scrape.sum("sluice_jvm_memory_used_bytes")).isPositive();
                assertThat(scrape.any("sluice_process_cpu_usage")).isTrue();
                assertThat(scrape.value("sluice_process_uptime_seconds").orElseThrow()).isPositive();
                assertThat(scrape.any("sluice_disk_free_bytes")).isTrue();
            } finally {
                consumer.dispose();
            }
        }
    }

    @Test
    void queueSeriesShowBacklogRecordsInFlightAndWorkers() throws Exception {
        int port = freePort();
        try (BrokerFixture fixture = BrokerFixture.start(dir, Map.of(BrokerConfig.METRICS_PORT, String.valueOf(port)))) {
            ReactorAdminServiceGrpc.newReactorStub(fixture.channel())
                    .createTopic(CreateTopicRequest.newBuilder().setName("jobs").setPartitions(1).build()).block(WAIT);
            List<ProduceRequest> requests = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                requests.add(produce(i, "jobs", record(null, "job-" + i)).setPartition(0).build());
            }
            ReactorProducerServiceGrpc.newReactorStub(fixture.channel()).produce(Flux.fromIterable(requests))
                    .blockLast(WAIT);
            // One worker with credit for 5: it acks the first 2 and keeps 3 locked.
            List<java.util.concurrent.CompletableFuture<?>> acks = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (QueueWorker worker = QueueWorker.start(fixture.channel(), "work", "jobs", Map.of(), 5, (w, r) -> {
                if (acks.size() < 2) {
                    acks.add(w.send(QueueWorker.ack(r)));
                }
            })) {
                await().atMost(WAIT).until(() -> worker.received.size() == 5 && acks.size() == 2
                        && acks.stream().allMatch(java.util.concurrent.CompletableFuture::isDone));
                Scrape scrape = Scrape.of(port);
                assertThat(scrape.value("sluice_queue_backlog", "queue", "work", "topic", "jobs")).hasValue(8);
                assertThat(scrape.value("sluice_queue_in_flight", "queue", "work")).hasValue(3);
                assertThat(scrape.value("sluice_queue_delayed", "queue", "work")).hasValue(0);
                assertThat(scrape.value("sluice_queue_dead_lettered", "queue", "work")).hasValue(0);
                assertThat(scrape.value("sluice_queue_workers", "queue", "work")).hasValue(1);
                assertThat(scrape.value("sluice_queue_oldest_age_seconds", "queue", "work").orElseThrow())
                        .isGreaterThanOrEqualTo(0).isLessThan(WAIT.toSeconds() * 2);
                assertThat(scrape.value("sluice_queue_records_acked_total", "queue", "work")).hasValue(2);
                assertThat(scrape.value("sluice_streams_active", "kind", "consumer")).hasValue(1);
            }
        }
    }

    @Test
    void aTakenMetricsPortFailsTheStartClearlyAndLeavesNothingOpen() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Map<String, String> settings = Map.of(BrokerConfig.METRICS_PORT, String.valueOf(taken.getLocalPort()));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> BrokerFixture.start(dir, settings))
                    .hasMessageContaining("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("metrics.port");
        }
        // The failed start closed its store: the same data directory opens again.
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            assertThat(fixture.broker().logs().topics()).isEmpty();
        }
    }

    @Test
    void metricsPortZeroServesNothing() {
        try (BrokerFixture fixture = BrokerFixture.start(dir)) {
            assertThat(fixture.broker().metricsPort()).isZero();
            assertThat(fixture.broker().meters().find("sluice.streams.active").gauges()).isNotEmpty();
        }
    }
}
