import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { ProblemError, validationProblem } from '@zt/http';
import { STREAM_UPDATED_EVENT, VERIFICATION_EVENT } from './security-event-token';
import {
  ADD_SUBJECT_SCHEMA,
  CREATE_STREAM_SCHEMA,
  POLL_DELIVERY,
  POLL_SCHEMA,
  REMOVE_SUBJECT_SCHEMA,
  ssfBodyErrors,
  STATUS_UPDATE_SCHEMA,
  StreamStatus,
  UPDATE_STREAM_SCHEMA,
  VERIFICATION_SCHEMA,
} from './ssf-bodies.schema';
import { SsfRepository, StoredStream } from './ssf.repository';
import { EVENTS_SUPPORTED, SSF_PATHS, SsfTransmitter } from './ssf-transmitter';
import { SubjectId, subjectKey } from './subject-id';

/** A stream's configuration as SSF 1.0 §8.1.1 shows it. */
export interface StreamConfiguration {
  stream_id: string;
  iss: string;
  aud: string;
  events_supported: string[];
  events_requested: string[];
  events_delivered: string[];
  delivery: { method: string; endpoint_url: string };
  description?: string;
}

/** A stream's status (SSF 1.0 §8.1.2). */
export interface StreamStatusView {
  stream_id: string;
  status: StreamStatus;
  reason?: string;
}

/** RFC 8936 §2.4 poll answer. */
export interface PollAnswer {
  sets: Record<string, string>;
  moreAvailable: boolean;
}

interface StreamBody {
  events_requested?: string[];
  delivery?: { method: string };
  description?: string;
}
interface PollBody {
  ack?: string[];
  setErrs?: Record<string, { err: string; description: string }>;
  maxEvents?: number;
  returnImmediately?: boolean;
}

/** Streams one receiver may hold; a receiver needs one, a few allow rotation. */
export const MAX_STREAMS_PER_RECEIVER = 10;
/** Subjects one stream may name. */
export const MAX_SUBJECTS_PER_STREAM = 10_000;
/** SETs waiting in one stream at most: beyond, verification requests get 429 until the receiver polls. */
export const MAX_PENDING_PER_STREAM = 1_000;
/** SETs returned by a poll that does not say maxEvents. */
export const DEFAULT_MAX_EVENTS = 100;
/** How long a poll without returnImmediately waits for a SET (RFC 8936 long polling). */
export const LONG_POLL_MS = 5_000;
const LONG_POLL_STEP_MS = 200;

const STREAM_NOT_FOUND = (): ProblemError =>
  new ProblemError(404, 'NOT_FOUND', 'No such stream for this receiver.');

function checked<T>(schema: object, body: unknown): T {
  const errors = ssfBodyErrors(schema, body);
  if (errors.length > 0) throw validationProblem(errors);
  return body as T;
}

/** infra_admin sees every stream; a receiver only the streams it created. */
function ownerScope(principal: Principal): string | undefined {
  return principal.roles.includes('infra_admin') ? undefined : principal.sub;
}

/**
 * SSF stream management (SSF 1.0 §8) and poll delivery (RFC 8936). Streams belong to the token
 * subject that created them; another receiver gets 404, so stream ids reveal nothing.
 */
@Injectable()
export class SsfStreamsService {
  private readonly logger = new Logger(SsfStreamsService.name);

  constructor(
    private readonly repository: SsfRepository,
    private readonly transmitter: SsfTransmitter,
  ) {}

  async create(body: unknown, principal: Principal): Promise<StreamConfiguration> {
    const b = checked<StreamBody>(CREATE_STREAM_SCHEMA, body ?? {});
    if ((await this.repository.countStreams(principal.sub)) >= MAX_STREAMS_PER_RECEIVER) {
      throw new ProblemError(
        409,
        'CONFLICT',
        `A receiver may hold at most ${MAX_STREAMS_PER_RECEIVER} streams.`,
      );
    }
    const stream: StoredStream = {
      streamId: randomUUID(),
      owner: principal.sub,
      audience: principal.sub,
      eventsRequested: b.events_requested ?? [],
      deliveryMethod: b.delivery?.method ?? POLL_DELIVERY,
      description: b.description ?? null,
      status: 'enabled',
      reason: null,
    };
    await this.repository.insertStream(stream, new Date());
    return this.view(stream);
  }

  async read(streamId: unknown, principal: Principal): Promise<StreamConfiguration | StreamConfiguration[]> {
    if (streamId === undefined) {
      const streams = await this.repository.streams(ownerScope(principal), 1_000);
      return streams.map((s) => this.view(s));
    }
    return this.view(await this.owned(streamId, principal));
  }

  /** PATCH (`replace` false) changes the members given; PUT (`replace` true) resets the others. */
  async update(body: unknown, principal: Principal, replace: boolean): Promise<StreamConfiguration> {
    const b = checked<StreamBody & { stream_id: string }>(UPDATE_STREAM_SCHEMA, body);
    const stream = await this.owned(b.stream_id, principal);
    // Transmitter-supplied members a receiver echoes back are ignored (SSF §8.1.1.3).
    const next: StoredStream = replace
      ? {
          ...stream,
          eventsRequested: b.events_requested ?? [],
          deliveryMethod: b.delivery?.method ?? POLL_DELIVERY,
          description: b.description ?? null,
        }
      : {
          ...stream,
          eventsRequested: b.events_requested ?? stream.eventsRequested,
          deliveryMethod: b.delivery?.method ?? stream.deliveryMethod,
          description: b.description ?? stream.description,
        };
    await this.repository.updateStream(next, new Date());
    return this.view(next);
  }

  async remove(streamId: unknown, principal: Principal): Promise<void> {
    const stream = await this.owned(streamId, principal);
    await this.repository.deleteStream(stream.streamId);
  }

  async status(streamId: unknown, principal: Principal): Promise<StreamStatusView> {
    return statusView(await this.owned(streamId, principal));
  }

  async updateStatus(body: unknown, principal: Principal): Promise<StreamStatusView> {
    const b = checked<{ stream_id: string; status: StreamStatus; reason?: string }>(
      STATUS_UPDATE_SCHEMA,
      body,
    );
    const stream = await this.owned(b.stream_id, principal);
    const next: StoredStream = { ...stream, status: b.status, reason: b.reason ?? null };
    await this.repository.updateStream(next, new Date());
    if (b.status === 'disabled') {
      // A disabled stream holds nothing (SSF §8.1.2): what was waiting is dropped.
      await this.repository.dropPending(stream.streamId);
    } else if (b.status !== stream.status) {
      await this.queue(next, {
        [STREAM_UPDATED_EVENT]: { status: b.status, ...(b.reason ? { reason: b.reason } : {}) },
      });
    }
    return statusView(next);
  }

  async addSubject(body: unknown, principal: Principal): Promise<void> {
    const b = checked<{ stream_id: string; subject: SubjectId; verified?: boolean }>(
      ADD_SUBJECT_SCHEMA,
      body,
    );
    const stream = await this.owned(b.stream_id, principal);
    const key = subjectKey(b.subject);
    if (
      !(await this.repository.hasSubject(stream.streamId, key)) &&
      (await this.repository.countSubjects(stream.streamId)) >= MAX_SUBJECTS_PER_STREAM
    ) {
      throw new ProblemError(
        409,
        'CONFLICT',
        `A stream may name at most ${MAX_SUBJECTS_PER_STREAM} subjects.`,
      );
    }
    // `verified` defaults to true (SSF §8.1.3.2): the receiver vouches for the subject.
    await this.repository.upsertSubject(stream.streamId, key, b.subject, b.verified ?? true, new Date());
  }

  async removeSubject(body: unknown, principal: Principal): Promise<void> {
    const b = checked<{ stream_id: string; subject: SubjectId }>(REMOVE_SUBJECT_SCHEMA, body);
    const stream = await this.owned(b.stream_id, principal);
    if (!(await this.repository.deleteSubject(stream.streamId, subjectKey(b.subject)))) {
      throw new ProblemError(404, 'NOT_FOUND', 'The stream does not name this subject.');
    }
  }

  /** Queues a verification SET (SSF §8.1.4), delivered like any other; dropped on a disabled stream. */
  async verify(body: unknown, principal: Principal): Promise<void> {
    const b = checked<{ stream_id: string; state?: string }>(VERIFICATION_SCHEMA, body);
    const stream = await this.owned(b.stream_id, principal);
    if (stream.status === 'disabled') return;
    if ((await this.repository.countPending(stream.streamId)) >= MAX_PENDING_PER_STREAM) {
      throw new ProblemError(
        429,
        'RATE_LIMITED',
        'The stream holds too many unacknowledged SETs; poll first.',
        {
          headers: { 'retry-after': '1' },
        },
      );
    }
    await this.queue(stream, { [VERIFICATION_EVENT]: b.state === undefined ? {} : { state: b.state } });
  }

  /** RFC 8936 poll: forgets what is acknowledged, then returns the oldest pending SETs. */
  async poll(streamId: string, body: unknown, principal: Principal): Promise<PollAnswer> {
    const b = checked<PollBody>(POLL_SCHEMA, body ?? {});
    const stream = await this.owned(streamId, principal);
    const errs = Object.entries(b.setErrs ?? {});
    // A SET the receiver reports an error on is answered: it is not sent again.
    await this.repository.acknowledge(stream.streamId, [...(b.ack ?? []), ...errs.map(([jti]) => jti)]);
    if (errs.length > 0) {
      this.logger.warn(
        `SSF stream ${stream.streamId}: receiver reported ${errs.length} SET error(s), first: ${errs[0]?.[1].err}`,
      );
    }
    const max = b.maxEvents ?? DEFAULT_MAX_EVENTS;
    if (max === 0 || stream.status !== 'enabled') return { sets: {}, moreAvailable: false };
    const deadline = Date.now() + (b.returnImmediately === true ? 0 : LONG_POLL_MS);
    for (;;) {
      const pending = await this.repository.pending(stream.streamId, max + 1);
      if (pending.length > 0 || Date.now() >= deadline) {
        const sets = Object.fromEntries(pending.slice(0, max).map((p) => [p.jti, p.jwt]));
        return { sets, moreAvailable: pending.length > max };
      }
      await sleep(LONG_POLL_STEP_MS);
    }
  }

  private async queue(stream: StoredStream, events: Record<string, Record<string, unknown>>): Promise<void> {
    const { jti, jwt } = await this.transmitter.sign({
      audience: stream.audience,
      subject: { format: 'opaque', id: stream.streamId },
      events,
    });
    await this.repository.enqueue(stream.streamId, jti, jwt, new Date());
  }

  private async owned(streamId: unknown, principal: Principal): Promise<StoredStream> {
    if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 64) {
      throw validationProblem([
        { pointer: '/stream_id', detail: 'must be a stream id (1 to 64 characters)' },
      ]);
    }
    const stream = await this.repository.stream(streamId, ownerScope(principal));
    if (!stream) throw STREAM_NOT_FOUND();
    return stream;
  }

  private view(stream: StoredStream): StreamConfiguration {
    const issuer = this.transmitter.issuer();
    return {
      stream_id: stream.streamId,
      iss: issuer,
      aud: stream.audience,
      events_supported: [...EVENTS_SUPPORTED],
      events_requested: stream.eventsRequested,
      events_delivered: stream.eventsRequested.filter((e) => EVENTS_SUPPORTED.includes(e)),
      // Poll delivery: the endpoint is the transmitter's, one per stream (RFC 8936).
      delivery: {
        method: stream.deliveryMethod,
        endpoint_url: `${issuer}/${SSF_PATHS.poll}/${stream.streamId}`,
      },
      ...(stream.description !== null ? { description: stream.description } : {}),
    };
  }
}

function statusView(stream: StoredStream): StreamStatusView {
  return {
    stream_id: stream.streamId,
    status: stream.status,
    ...(stream.reason !== null ? { reason: stream.reason } : {}),
  };
}
