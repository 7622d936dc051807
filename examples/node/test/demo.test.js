'use strict';
// Runs the tour against a broker: SLUICE_BOOTSTRAP if set, else one this test starts with bin/sluice.
const test = require('node:test');
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run } = require('../demo');

function startBroker() {
  return new Promise((resolve, reject) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-node-'));
    const sluice = path.resolve(__dirname, '..', '..', '..', 'bin', 'sluice');
    const broker = spawn(sluice, ['broker', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      broker.kill();
      reject(new Error(`the broker did not start within 120 s:\n${output}`));
    }, 120000);
    broker.stderr.on('data', (chunk) => {
      output += chunk;
      const listening = /listening on ([\d.]+):(\d+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve({ bootstrap: `${listening[1]}:${listening[2]}`, stop: () => broker.kill('SIGTERM') });
      }
    });
    broker.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the broker exited (${code}) before listening:\n${output}`));
    });
  });
}

test('the tour produces, consumes with credit, and commits in a group', { timeout: 180000 }, async () => {
  const broker = process.env.SLUICE_BOOTSTRAP ? { bootstrap: process.env.SLUICE_BOOTSTRAP, stop: () => {} }
    : await startBroker();
  try {
    const lines = [];
    const result = await run(broker.bootstrap, (line) => lines.push(line));
    assert.strictEqual(result.produced, 1000);
    assert.strictEqual(result.consumed, 1000);
    assert.ok(result.grants >= 1000 / 50, `credit came in small grants (${result.grants})`);
    assert.deepStrictEqual(result.group.assigned, [0, 1, 2]);
    assert.strictEqual(result.group.received, 1000);
    assert.strictEqual(result.committed, 1000);
    assert.strictEqual(lines.length, 5);
  } finally {
    broker.stop();
  }
});
