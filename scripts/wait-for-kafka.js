// Waits until a Kafka broker answers a metadata request (admin connect + listTopics) and has a group
// coordinator, not merely until its port is open: a KRaft broker accepts connections before it can
// serve.
//   node scripts/wait-for-kafka.js [broker=127.0.0.1:9092] [timeoutSeconds=60] [pid]
// With a pid, it gives up as soon as that process is gone (the broker died while starting), instead
// of waiting out the timeout. Exit code 0 when ready, 1 otherwise.
'use strict';

const { Kafka, logLevel } = require('kafkajs');

const broker = process.argv[2] || '127.0.0.1:9092';
const timeoutMs = Number(process.argv[3] || 60) * 1000;
const pid = process.argv[4] ? Number(process.argv[4]) : undefined;

function processAlive(id) {
  try {
    process.kill(id, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user; only ESRCH means gone.
    return error.code === 'EPERM';
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({
    clientId: 'wait-for-kafka',
    brokers: [broker],
    // Connection refused is the normal state while the broker boots; no noise, no internal retries:
    // this loop is the retry.
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  let lastError;
  for (;;) {
    if (pid !== undefined && !processAlive(pid)) {
      throw new Error(`process ${pid} exited before ${broker} answered`);
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      // Asking for a group's coordinator makes a fresh broker create __consumer_offsets now, so the
      // first consumer of a test does not log "The group coordinator is not available".
      await admin.describeGroups(['wait-for-kafka']);
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (Date.now() >= deadline) {
      throw new Error(`${broker} did not answer within ${timeoutMs / 1000} s: ${lastError.message}`);
    }
    await sleep(500);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`kafka not ready: ${error.message}\n`);
    process.exit(1);
  },
);
