// The worker thread of KafkaProducerThread: one kafkajs producer, so that its encoding, buffer
// copies and garbage stay off the service's event loop. Requests are handled one at a time, in
// the order they arrive (the order of a stream's messages), and each send is answered by id.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka } from 'kafkajs';
import type { FromProducerThread, ToProducerThread } from './kafka-producer-thread';
import { ALL_IN_SYNC_REPLICAS, kafkaClientConfig, KafkaConnection, PRODUCER_CONFIG } from './kafka-settings';

const PRODUCER_THREAD_NICE = 10;

if (!parentPort) throw new Error('kafka-producer.worker runs in a worker thread only');
// On Linux a thread has a nice value of its own, and pid 0 names the calling thread: this one
// yields the CPU to the request thread when cores are scarce, and only falls behind (its input
// is buffered and bounded upstream) when the decisions themselves need every cycle. Elsewhere the
// same call would lower the whole process, so it is left alone.
if (process.platform === 'linux') setPriority(0, PRODUCER_THREAD_NICE);
const port = parentPort;
const reply = (message: FromProducerThread): void => port.postMessage(message);
const kafka = new Kafka(
  kafkaClientConfig(workerData as KafkaConnection, (level, text) => reply({ kind: 'log', level, text })),
);
const producer = kafka.producer(PRODUCER_CONFIG);
let connection: Promise<void> | null = null;

/** Connects once; a connection that failed is tried again by the next send. */
function connected(): Promise<void> {
  connection ??= producer.connect().catch((error: unknown) => {
    connection = null;
    throw error;
  });
  return connection;
}

async function handle(request: ToProducerThread): Promise<void> {
  switch (request.kind) {
    case 'send':
      try {
        await connected();
        await producer.send({
          topic: request.topic,
          acks: ALL_IN_SYNC_REPLICAS,
          messages: request.records.map(({ key, value, headers }) => ({
            key,
            // A view on the transferred memory, not a copy.
            value: Buffer.from(value),
            headers,
          })),
        });
        reply({ kind: 'sent', id: request.id });
      } catch (error) {
        reply({ kind: 'failed', id: request.id, error: String(error) });
      }
      return;
    case 'close':
      if (connection) await producer.disconnect().catch(() => undefined);
      // Ends this thread only; the service's process goes on.
      process.exit(0);
  }
}

let queue = Promise.resolve();
port.on('message', (request: ToProducerThread) => {
  queue = queue.then(() => handle(request));
});
