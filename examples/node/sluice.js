'use strict';
// A minimal Sluice client for Node.js: the services come straight from the .proto files in proto/, loaded at
// run time by @grpc/proto-loader. No generated code and no hand-written protocol: field names are the
// .proto's own (keepCase), int64 values are JavaScript numbers, enums are their names.
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_DIR = path.resolve(__dirname, '..', '..', 'proto', 'src', 'main', 'proto');

function loadServices() {
  const definition = protoLoader.loadSync(
    ['sluice/v1/admin.proto', 'sluice/v1/producer.proto', 'sluice/v1/consumer.proto'],
    { includeDirs: [PROTO_DIR], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  return grpc.loadPackageDefinition(definition).sluice.v1;
}

/** Clients of the three services on one channel to `bootstrap` (host:port). */
function connect(bootstrap) {
  const v1 = loadServices();
  const credentials = grpc.credentials.createInsecure();
  const admin = new v1.AdminService(bootstrap, credentials);
  const options = { channelOverride: admin.getChannel() };
  return {
    admin,
    producer: new v1.ProducerService(bootstrap, credentials, options),
    consumer: new v1.ConsumerService(bootstrap, credentials, options),
    close: () => admin.close(),
  };
}

/** Calls a unary AdminService method and resolves with its response. */
function unary(client, method, request) {
  return new Promise((resolve, reject) =>
    client[method](request, (error, response) => (error ? reject(error) : resolve(response))));
}

/**
 * Produces `records` ({key, value} strings) to `topic` on one Produce stream, waiting for every
 * acknowledgement. The broker puts a batch's records in one partition, the one of their key, so records
 * are batched by key, up to `batchSize` a batch, in order per key. Resolves with the acknowledgements
 * (topic, partition, base_offset, record_count).
 */
function produce(client, topic, records, batchSize) {
  return new Promise((resolve, reject) => {
    const stream = client.producer.Produce();
    const acks = [];
    let expected = 0;
    stream.on('data', (response) => {
      if (response.kind !== 'RESPONSE_KIND_BATCH') {
        return;
      }
      if (response.error_code !== 'ERROR_CODE_NONE') {
        stream.cancel();
        reject(new Error(`batch ${response.request_id} failed: ${response.error_code}: ${response.error_message}`));
        return;
      }
      acks.push(response);
      if (acks.length === expected) {
        stream.end();
      }
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(acks));
    const byKey = new Map();
    records.forEach((r) => byKey.set(r.key, [...(byKey.get(r.key) || []), r]));
    const batches = [];
    byKey.forEach((sameKey) => {
      for (let i = 0; i < sameKey.length; i += batchSize) {
        batches.push(sameKey.slice(i, i + batchSize));
      }
    });
    expected = batches.length;
    batches.forEach((batch, i) => stream.write({
      request_id: i + 1,
      topic,
      acks: 'ACKS_LEADER',
      records: batch.map((r) => ({ key: Buffer.from(r.key), value: Buffer.from(r.value), timestamp_ms: Date.now() })),
    }));
  });
}

module.exports = { connect, unary, produce, PROTO_DIR };
