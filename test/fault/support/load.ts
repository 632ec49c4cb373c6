import * as grpc from '@grpc/grpc-js';
import { decisionProtos } from '../../support/grpc-clients';
import { Deployment } from './deployment';
import { AdminLedger } from './admin-ledger';
import {
  BAD_DEVICE,
  GROUP_RESOURCE,
  HEALTHY_DEVICES,
  POLICY_IDS,
  PRINCIPAL_IDS,
  healthySignals,
  resourceOf,
} from './workload';

export type Replica = 'decision-a' | 'decision-b';
export const REPLICAS: Replica[] = ['decision-a', 'decision-b'];

/** What a decision asked about, which says what its answer must be. */
export type DecisionKind = 'policy' | 'device-bad' | 'device-ok' | 'group';

/** One decision call of the load and its outcome. */
export interface DecisionSample {
  t: number;
  replica: Replica;
  via: 'http' | 'grpc';
  kind: DecisionKind;
  /** The policy or principal id the request is about. */
  about: string;
  /** HTTP status, or the gRPC status name; 'no_answer' when the connection failed or timed out. */
  outcome: string;
  /** The problem's code (HTTP) or the status details (gRPC) of an answer that is not a decision. */
  code?: string;
  decisionId?: string;
  decision?: string;
  revision?: number;
  policies?: { id: string; version: number }[];
}

/** One posture report and whether device intelligence took it. */
export interface PostureSample {
  t: number;
  device: string;
  observedAt: string;
  status: number | 'no_answer';
}

/** One audit export. */
export interface ExportSample {
  t: number;
  status: number | 'no_answer';
  lines: number;
  endsWithCheckpoint: boolean;
}

const REQUEST_TIMEOUT_MS = 5_000;

/** The mixed load's pace; about 60 decisions/s keeps the audit backlog of a 25 s fault drainable. */
export interface LoadShape {
  httpWorkers: number;
  grpcWorkers: number;
  /** Calls per second of each decision worker. */
  perWorker: number;
  /** Policy or principal changes per second. */
  writesPerSecond: number;
  postureEveryMs: number;
  exportEveryMs: number;
}

export const DEFAULT_SHAPE: LoadShape = {
  httpWorkers: 4,
  grpcWorkers: 1,
  perWorker: 12,
  writesPerSecond: 1,
  postureEveryMs: 500,
  exportEveryMs: 30_000,
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `step` every `intervalMs` until stopped; a late step delays the next, never bunches them. */
async function paced(running: () => boolean, intervalMs: number, step: () => Promise<void>): Promise<void> {
  let next = Date.now();
  while (running()) {
    await step().catch(() => undefined);
    next = Math.max(next + intervalMs, Date.now());
    await sleep(next - Date.now());
  }
}

type DecisionBody = {
  subject: { id: string };
  action: string;
  resource: { id: string };
  context?: { device: { id: string } };
};

/** The request of each kind; which policy, principal or device it names varies with `n`. */
function requestOf(kind: DecisionKind, n: number): { about: string; body: DecisionBody } {
  switch (kind) {
    case 'policy': {
      const id = POLICY_IDS[n % POLICY_IDS.length];
      return {
        about: id,
        body: { subject: { id: 'alice@company.com' }, action: 'read', resource: { id: resourceOf(id) } },
      };
    }
    case 'group': {
      const id = PRINCIPAL_IDS[n % PRINCIPAL_IDS.length];
      return { about: id, body: { subject: { id }, action: 'read', resource: { id: GROUP_RESOURCE } } };
    }
    case 'device-bad':
    case 'device-ok': {
      const device = kind === 'device-bad' ? BAD_DEVICE : HEALTHY_DEVICES[n % HEALTHY_DEVICES.length];
      return {
        about: device,
        body: {
          subject: { id: 'alice@company.com' },
          action: 'read',
          resource: { id: 'gitlab.repo' },
          context: { device: { id: device } },
        },
      };
    }
  }
}

const KINDS: DecisionKind[] = ['policy', 'policy', 'device-bad', 'device-ok', 'group'];

type ProtoValue =
  | { stringValue: string }
  | { numberValue: number }
  | { boolValue: boolean }
  | { structValue: { fields: Record<string, ProtoValue> } };

/** A JSON object as google.protobuf.Struct, for the few shapes the load sends. */
function toStruct(value: Record<string, unknown>): { fields: Record<string, ProtoValue> } {
  const fields: Record<string, ProtoValue> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') fields[k] = { stringValue: v };
    else if (typeof v === 'number') fields[k] = { numberValue: v };
    else if (typeof v === 'boolean') fields[k] = { boolValue: v };
    else fields[k] = { structValue: toStruct(v as Record<string, unknown>) };
  }
  return { fields };
}

type DecideClient = grpc.Client & {
  Decide(
    request: unknown,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response: Record<string, unknown>) => void,
  ): void;
};

function decideClient(address: string): DecideClient {
  const loaded = grpc.loadPackageDefinition(decisionProtos()) as unknown as {
    zt: { decision: { v1: { DecisionService: grpc.ServiceClientConstructor } } };
  };
  return new loaded.zt.decision.v1.DecisionService(
    address,
    grpc.credentials.createInsecure(),
  ) as unknown as DecideClient;
}

/**
 * The steady mixed load of the fault suite: decisions over HTTP and gRPC on both replicas (the
 * decision log is on), policy and principal changes, posture reports through device intelligence,
 * and audit exports. Everything it sees is recorded with its time, for the checks.
 */
export class MixedLoad {
  readonly decisions: DecisionSample[] = [];
  readonly postures: PostureSample[] = [];
  readonly exports: ExportSample[] = [];
  private running = false;
  private writesPaused = false;
  private loops: Promise<void>[] = [];
  private readonly grpcClients: Record<Replica, DecideClient>;
  private counter = 0;

  constructor(
    private readonly deployment: Deployment,
    readonly ledger: AdminLedger,
    private readonly shape: LoadShape = DEFAULT_SHAPE,
  ) {
    this.grpcClients = {
      'decision-a': decideClient(deployment.grpc['decision-a']),
      'decision-b': decideClient(deployment.grpc['decision-b']),
    };
  }

  start(): void {
    this.running = true;
    const on = () => this.running;
    const interval = 1000 / this.shape.perWorker;
    for (let w = 0; w < this.shape.httpWorkers; w++) {
      this.loops.push(paced(on, interval, () => this.httpDecision(REPLICAS[w % 2])));
    }
    for (let w = 0; w < this.shape.grpcWorkers; w++) {
      this.loops.push(paced(on, interval, () => this.grpcDecision(REPLICAS[(w + 1) % 2])));
    }
    this.loops.push(
      paced(on, 1000 / this.shape.writesPerSecond, async () => {
        if (!this.writesPaused) await this.ledger.nextChange(this.deployment);
      }),
    );
    this.loops.push(
      paced(on, this.shape.postureEveryMs, async () => {
        if (!this.writesPaused) await this.posture();
      }),
    );
    this.loops.push(paced(on, this.shape.exportEveryMs, () => this.export()));
  }

  /**
   * Holds policy and principal changes and posture reports: the checks compare a revision and a
   * device's latest posture that must stand still meanwhile.
   */
  pauseWrites(): void {
    this.writesPaused = true;
  }

  resumeWrites(): void {
    this.writesPaused = false;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    for (const client of Object.values(this.grpcClients)) client.close();
  }

  private nextKind(): { kind: DecisionKind; n: number } {
    const n = this.counter++;
    return { kind: KINDS[n % KINDS.length], n: Math.floor(n / KINDS.length) };
  }

  private async httpDecision(replica: Replica): Promise<void> {
    const { kind, n } = this.nextKind();
    const { about, body } = requestOf(kind, n);
    const t = Date.now();
    const sample: DecisionSample = { t, replica, via: 'http', kind, about, outcome: 'no_answer' };
    try {
      const r = await fetch(`${this.deployment.services[replica].url}/v1/zt-policy/decisions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.deployment.tokens().pep}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      sample.outcome = String(r.status);
      const answer = (await r.json()) as {
        code?: string;
        decision?: string;
        decision_id?: string;
        revision?: number;
        decidingPolicies?: { id: string; version: number }[];
      };
      if (r.status !== 200) sample.code = answer.code;
      if (r.status === 200) {
        sample.decisionId = answer.decision_id;
        sample.decision = answer.decision;
        sample.revision = answer.revision;
        sample.policies = answer.decidingPolicies?.map((p) => ({ id: p.id, version: p.version }));
      }
    } catch {
      // no answer: connection refused (a killed replica), reset, or timed out
    }
    this.decisions.push(sample);
  }

  private async grpcDecision(replica: Replica): Promise<void> {
    const { kind, n } = this.nextKind();
    const { about, body } = requestOf(kind, n);
    const sample: DecisionSample = { t: Date.now(), replica, via: 'grpc', kind, about, outcome: 'no_answer' };
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${this.deployment.tokens().pep}`);
    const request = {
      subject: body.subject,
      action: body.action,
      resource: body.resource,
      ...(body.context ? { context: toStruct(body.context) } : {}),
    };
    await new Promise<void>((resolve) => {
      this.grpcClients[replica].Decide(
        request,
        metadata,
        { deadline: Date.now() + REQUEST_TIMEOUT_MS },
        (error, response) => {
          if (error) {
            // UNAVAILABLE without details is a refused connection: no answer, as over HTTP.
            const refused =
              error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED;
            sample.outcome = refused ? 'no_answer' : grpc.status[error.code];
            sample.code = error.details.slice(0, 60);
          } else {
            sample.outcome = 'OK';
            sample.decisionId = response.decision_id as string;
            sample.decision = response.decision as string;
            sample.revision = Number(response.revision);
            sample.policies = (response.deciding_policies as { id: string; version: number }[]).map((p) => ({
              id: p.id,
              version: Number(p.version),
            }));
          }
          resolve();
        },
      );
    });
    this.decisions.push(sample);
  }

  private async posture(): Promise<void> {
    const device = HEALTHY_DEVICES[this.postures.length % HEALTHY_DEVICES.length];
    const observedAt = new Date().toISOString();
    const sample: PostureSample = { t: Date.now(), device, observedAt, status: 'no_answer' };
    this.postures.push(sample);
    try {
      const r = await fetch(
        `${this.deployment.services['device-intelligence'].url}/v1/zt-policy/device-intelligence/posture`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.deployment.tokens().agent}`,
            'content-type': 'application/json',
          },
          // Signals vary from report to report (MODEL_SCORE_CACHE_SECONDS=0 scores every one anyway).
          body: JSON.stringify({
            device_id: device,
            signals: healthySignals(this.postures.length),
            observed_at: observedAt,
          }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        },
      );
      await r.arrayBuffer();
      sample.status = r.status;
    } catch {
      // no answer
    }
  }

  private async export(): Promise<void> {
    const sample: ExportSample = { t: Date.now(), status: 'no_answer', lines: 0, endsWithCheckpoint: false };
    try {
      const r = await fetch(`${this.deployment.services.audit.url}/v1/zt-policy/audit/export`, {
        headers: { authorization: `Bearer ${this.deployment.tokens().auditor}` },
        signal: AbortSignal.timeout(60_000),
      });
      sample.status = r.status;
      const lines = (await r.text()).split('\n').filter((line) => line.length > 0);
      sample.lines = lines.length;
      const last = lines.length > 0 ? (JSON.parse(lines[lines.length - 1]) as { kind?: string }) : {};
      sample.endsWithCheckpoint = last.kind === 'checkpoint';
    } catch {
      // no answer, or cut off
    }
    this.exports.push(sample);
  }
}
