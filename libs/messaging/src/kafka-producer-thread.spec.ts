import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCloudEvent, TopicName, Topics } from '@zt/contracts';
import { KafkaProducerThread } from './kafka-producer-thread';
import { OutgoingMessage } from './message-bus';

// A stand-in for the compiled worker, speaking the same protocol: it confirms every send, except
// to a topic named "...refused" (answered as failed) and "...crash" (the thread dies).
const STAND_IN = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (request) => {
  if (request.kind === 'close') process.exit(0);
  if (request.topic.endsWith('crash')) process.exit(3);
  if (request.topic.endsWith('refused')) {
    parentPort.postMessage({ kind: 'failed', id: request.id, error: 'broker down' });
  } else {
    parentPort.postMessage({ kind: 'sent', id: request.id });
  }
});
`;

// Topics the stand-in treats specially; not topics of the project.
const topic = (name: 'crash' | 'refused') => name as TopicName;

const message = (n: number): OutgoingMessage => {
  const event = createCloudEvent({ source: '/test', type: 'com.zt.test', data: { n } });
  return { key: event.id, event };
};

describe('KafkaProducerThread', () => {
  let dir: string;
  let workerFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'producer-thread-'));
    workerFile = join(dir, 'stand-in.worker.js');
    writeFileSync(workerFile, STAND_IN);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const thread = (prefix: string, exits: string[] = []) =>
    new KafkaProducerThread(
      { brokers: ['127.0.0.1:1'], clientId: 'test', topicPrefix: prefix },
      { onThreadExit: (reason) => exits.push(reason) },
      workerFile,
    );

  it('resolves the sends the thread confirms and rejects the ones it could not send', async () => {
    const exits: string[] = [];
    const producer = thread('', exits);
    await expect(producer.publish(Topics.decisionLog, [message(1), message(2)])).resolves.toBeUndefined();
    await expect(producer.publish(topic('refused'), [message(3)])).rejects.toThrow('broker down');
    await expect(producer.publish(Topics.decisionLog, [message(4)])).resolves.toBeUndefined();
    expect(exits).toEqual([]);
    await producer.close();
  });

  it('rejects what a dying thread had not confirmed, reports it, and sends through a new thread', async () => {
    const exits: string[] = [];
    const crashing = thread('', exits);
    await expect(crashing.publish(topic('crash'), [message(1)])).rejects.toThrow(
      /producer thread stopped: exit code 3/,
    );
    expect(exits).toEqual(['exit code 3']);
    await expect(crashing.publish(Topics.decisionLog, [message(2)])).resolves.toBeUndefined();
    await expect(crashing.publish(topic('refused'), [message(3)])).rejects.toThrow('broker down');
    expect(exits).toHaveLength(1);
    await crashing.close();
  });

  it('finishes what it was given before closing, and refuses anything after', async () => {
    const exits: string[] = [];
    const closing = thread('', exits);
    const sent = closing.publish(Topics.decisionLog, [message(1)]);
    await closing.close();
    await expect(sent).resolves.toBeUndefined();
    await expect(closing.publish(Topics.decisionLog, [message(2)])).rejects.toThrow(/closed/);
    expect(exits).toEqual([]);
  });
});
