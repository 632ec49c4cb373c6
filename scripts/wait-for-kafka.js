// Waits until a Kafka broker answers a metadata request (admin listTopics), not merely until its
// port is open: a KRaft broker accepts connections before it can serve.
//   node scripts/wait-for-kafka.js 127.0.0.1:9092 90
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const broker = process.argv[2] ?? '127.0.0.1:9092';
  const deadline = Date.now() + Number(process.argv[3] ?? 60) * 1000;
  const kafka = new Kafka({
    clientId: 'wait-for-kafka',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries: 0 },
  });
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      await admin.disconnect();
      return;
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

main().catch((error) => {
  process.stderr.write(`kafka not ready: ${error.message}\n`);
  process.exit(1);
});
