'use strict';
// The Node.js tour: create a topic, produce 1 000 keyed records in batches, read them back with credit,
// then read them again as a consumer-group member and commit. Run: node demo.js [host:port]
const grpc = require('@grpc/grpc-js');
const { connect, unary, produce } = require('./sluice');

const RECORDS = 1000;

/** Reads `want` records from the earliest offset, never holding more than `window` records of credit. */
function consumeWithCredit(client, topic, want, window) {
  return new Promise((resolve, reject) => {
    const stream = client.consumer.Consume();
    let received = 0;
    let granted = window;
    let grants = 1;
    let done = false;
    stream.on('data', (response) => {
      if (response.response !== 'batch') {
        return;
      }
      const count = response.batch.records.length;
      received += count;
      if (received > granted) {
        done = true;
        stream.cancel();
        reject(new Error(`the broker sent ${received} records with only ${granted} granted`));
        return;
      }
      if (received >= want) {
        done = true;
        stream.cancel();
        resolve({ received, grants });
        return;
      }
      // Processed: grant that much again, so at most `window` records are ever in flight.
      granted += count;
      grants++;
      stream.write({ credit: { records: count, bytes: 1 << 20 } });
    });
    stream.on('error', (error) => {
      if (!(done && error.code === grpc.status.CANCELLED)) {
        reject(error);
      }
    });
    stream.write({
      subscribe: {
        topics: [{ topic }],
        start: { earliest: true },
        format: 'RECORD_FORMAT_PLAIN',
        initial_credit: { records: window, bytes: 1 << 20 },
      },
    });
  });
}

/**
 * Joins `group`, reads until `want` records arrived from the partitions the broker assigned, commits the
 * next offset of each partition on the stream, then leaves.
 */
function consumeInGroup(client, topic, group, want) {
  return new Promise((resolve, reject) => {
    const stream = client.consumer.Consume();
    const next = new Map();
    const assigned = [];
    let memberId = '';
    let received = 0;
    let committing = false;
    stream.on('data', (response) => {
      switch (response.response) {
        case 'subscribed':
          memberId = response.subscribed.member_id;
          break;
        case 'keepalive':
          stream.write({ keepalive_ack: { id: response.keepalive.id } });
          break;
        case 'assignment':
          for (const p of response.assignment.assigned) {
            assigned.push(p.partition);
            next.set(p.partition, p.start_offset);
          }
          if (response.assignment.revoked.length > 0) {
            // Another member took these: stop, and hand them over with their final offsets.
            const offsets = response.assignment.revoked.map((p) => ({ ...p, offset: next.get(p.partition) }));
            response.assignment.revoked.forEach((p) => next.delete(p.partition));
            stream.write({ revoke_done: { partitions: response.assignment.revoked, offsets } });
          }
          break;
        case 'batch': {
          const { partition, batch, records } = response.batch;
          received += records.length;
          next.set(partition, batch.base_offset + batch.record_count);
          stream.write({ credit: { records: records.length, bytes: 1 << 20 } });
          if (received >= want && !committing) {
            committing = true;
            const offsets = [...next].map(([p, offset]) => ({ topic, partition: p, offset }));
            stream.write({ commit: { id: 1, offsets } });
          }
          break;
        }
        case 'commit_result':
          if (response.commit_result.error !== 'ERROR_CODE_NONE') {
            reject(new Error(`commit failed: ${response.commit_result.error}: ${response.commit_result.message}`));
            stream.cancel();
            return;
          }
          stream.write({ leave: {} });
          stream.end();
          break;
        default:
      }
    });
    stream.on('error', reject);
    stream.on('end', () => resolve({ memberId, assigned: assigned.sort(), received }));
    stream.write({
      subscribe: {
        topics: [{ topic }],
        start: { earliest: true },
        format: 'RECORD_FORMAT_PLAIN',
        initial_credit: { records: 200, bytes: 1 << 20 },
        group: { group, session_timeout_ms: 10000 },
      },
    });
  });
}

/** The whole tour against the broker at `bootstrap`; returns what happened, and logs each step. */
async function run(bootstrap, log = console.log) {
  const client = connect(bootstrap);
  try {
    const topic = `node-orders-${Date.now()}`;
    const created = await unary(client.admin, 'CreateTopic', { name: topic, partitions: 3 });
    log(`created topic ${created.topic.name} with ${created.topic.partitions.length} partitions`);

    const records = Array.from({ length: RECORDS }, (_, i) => ({ key: `customer-${i % 10}`, value: `order ${i}` }));
    const acks = await produce(client, topic, records, 100);
    const produced = acks.reduce((n, a) => n + a.record_count, 0);
    log(`produced ${produced} records in ${acks.length} batches`);

    const credit = await consumeWithCredit(client, topic, RECORDS, 50);
    log(`consumed ${credit.received} records with credit: at most 50 in flight, ${credit.grants} grants`);

    const group = `node-group-${Date.now()}`;
    const member = await consumeInGroup(client, topic, group, RECORDS);
    log(`joined group ${group} as ${member.memberId}, assigned partitions ${member.assigned.join(', ')}, `
      + `read ${member.received} records and committed`);

    const committed = await unary(client.admin, 'FetchCommittedOffsets', { group, topic });
    const total = Object.values(committed.offsets).reduce((n, o) => n + o, 0);
    log(`committed offsets of ${group}: ${JSON.stringify(committed.offsets)} (${total} records)`);
    return { topic, produced, consumed: credit.received, grants: credit.grants, group: member, committed: total };
  } finally {
    client.close();
  }
}

if (require.main === module) {
  run(process.argv[2] || process.env.SLUICE_BOOTSTRAP || '127.0.0.1:7070').catch((error) => {
    console.error(`demo failed: ${error.message}`);
    process.exitCode = 1;
  });
}

module.exports = { run };
