import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import type { TopicName } from '@zt/contracts';
import { KafkaConnection, kafkaRecord, KafkaRecord } from './kafka-settings';
import { OutgoingMessage, PublisherHooks, StreamPublisher } from './message-bus';

/** A record handed to the producer thread: its value as UTF-8 bytes whose memory moves along. */
export type TransferredRecord = Omit<KafkaRecord, 'value'> & { value: ArrayBuffer };

/** What the producer thread is asked to do: send records to a topic, or finish and exit. */
export type ToProducerThread =
  { kind: 'send'; id: number; topic: string; records: TransferredRecord[] } | { kind: 'close' };

/** What the producer thread answers: each send's outcome by id, and the client's warnings. */
export type FromProducerThread =
  | { kind: 'sent'; id: number }
  | { kind: 'failed'; id: number; error: string }
  | { kind: 'log'; level: 'error' | 'warn'; text: string };

/** Where the producer thread connects and how the stream's topics are named. */
export interface ProducerThreadOptions extends KafkaConnection {
  topicPrefix: string;
}

// The compiled worker beside this compiled module: the services run from dist. Tests that run the
// TypeScript sources pass the compiled file themselves.
const WORKER_FILE = join(__dirname, 'kafka-producer.worker.js');
const utf8 = new TextEncoder();
const MAX_RESTART_DELAY_MS = 10_000;
// A producer that cannot finish (Kafka unreachable) must not hold a shutdown forever.
const CLOSE_TIMEOUT_MS = 10_000;

/** The text as UTF-8 in memory of its own, so that it can be transferred. */
function utf8Bytes(text: string): ArrayBuffer {
  const bytes = new ArrayBuffer(Buffer.byteLength(text));
  utf8.encodeInto(text, new Uint8Array(bytes));
  return bytes;
}

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * A Kafka producer in a worker thread of its own (kafka-producer.worker.ts), for one
 * high-volume stream. The calling thread only turns messages into records (their JSON) and
 * hands them over; the producer's encoding, buffer copies, CRCs and garbage collections happen
 * in the worker. A send resolves once Kafka has acknowledged it, as on the bus. If the thread
 * dies, every unconfirmed send is rejected, so the caller keeps and retries its messages, and
 * the next send starts a new thread (at once the first time, then with a growing delay).
 */
export class KafkaProducerThread implements StreamPublisher {
  readonly runsOn = 'worker-thread';
  private readonly logger = new Logger('KafkaProducerThread');
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private exitsInARow = 0;
  private restartAt = 0;
  private lastExit = '';
  private closed = false;

  constructor(
    private readonly options: ProducerThreadOptions,
    private readonly hooks: PublisherHooks = {},
    private readonly workerFile: string = WORKER_FILE,
  ) {}

  publish(topic: TopicName, messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the Kafka producer thread is closed'));
    if (messages.length === 0) return Promise.resolve();
    const worker = this.worker ?? this.start();
    if (!worker) {
      const wait = this.restartAt - Date.now();
      return Promise.reject(
        new Error(`the Kafka producer thread restarts in ${wait} ms; it stopped: ${this.lastExit}`),
      );
    }
    const id = ++this.nextId;
    const records = messages.map((message): TransferredRecord => {
      const { key, value, headers } = kafkaRecord(message);
      return { key, value: utf8Bytes(value), headers };
    });
    const send: ToProducerThread = {
      kind: 'send',
      id,
      topic: `${this.options.topicPrefix}${topic}`,
      records,
    };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // The values' memory moves to the thread instead of being copied (cloning copies it twice).
      worker.postMessage(
        send,
        records.map((r) => r.value),
      );
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Sends queued before this are still answered: the thread handles requests in order.
    const close: ToProducerThread = { kind: 'close' };
    worker.postMessage(close);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private start(): Worker | undefined {
    if (Date.now() < this.restartAt) return undefined;
    const connection: KafkaConnection = { brokers: this.options.brokers, clientId: this.options.clientId };
    const worker = new Worker(this.workerFile, { workerData: connection });
    let failure: string | undefined;
    worker.on('message', (message: FromProducerThread) => this.receive(message));
    worker.on('error', (error) => (failure = String(error)));
    worker.on('exit', (code) => this.exited(worker, failure ?? `exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private receive(message: FromProducerThread): void {
    switch (message.kind) {
      case 'sent':
      case 'failed': {
        this.exitsInARow = 0;
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.kind === 'sent') pending?.resolve();
        else pending?.reject(new Error(message.error));
        return;
      }
      case 'log':
        if (message.level === 'error') this.logger.error(message.text);
        else this.logger.warn(message.text);
        return;
    }
  }

  private exited(worker: Worker, reason: string): void {
    if (this.worker === worker) this.worker = undefined;
    const error = new Error(`the Kafka producer thread stopped: ${reason}`);
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    if (this.closed) return;
    this.exitsInARow += 1;
    this.lastExit = reason;
    // The first restart is immediate; a thread that keeps dying is restarted less and less often.
    const delay =
      this.exitsInARow <= 1 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (this.exitsInARow - 2));
    this.restartAt = Date.now() + delay;
    this.logger.error(`Kafka producer thread stopped (${reason}); its unconfirmed sends are retried`);
    this.hooks.onThreadExit?.(reason);
  }
}
