import { Deployment } from './deployment';
import { GROUP, POLICY_IDS, PRINCIPAL_IDS, policyBody } from './workload';

/** One write to the admin API and what it answered. */
export interface WriteSample {
  /** When it was sent and when it was answered. */
  t: number;
  tEnd: number;
  kind: 'policy' | 'principal';
  id: string;
  /** The policy's effect, or the principal's membership of the group, as written. */
  state: 'allow' | 'deny' | 'in' | 'out';
  /** HTTP status; 'no_answer' when the connection failed or timed out (the outcome is unknown). */
  outcome: number | 'no_answer';
  revision?: number;
  version?: number;
  retryAfter: string | null;
  contentType: string | null;
}

const WRITE_TIMEOUT_MS = 10_000;

const acked = (w: WriteSample) => typeof w.outcome === 'number' && w.outcome >= 200 && w.outcome < 300;

/**
 * Every policy and principal change the load sends and what the admin API answered: acknowledged
 * (2xx with a revision), refused (any other status: must never take effect), or unknown (no
 * answer). The checks compare the replicas and the admin's own state against it.
 */
export class AdminLedger {
  readonly writes: WriteSample[] = [];
  private n = 0;

  /** Creates the flipping policies and the principals (each allowed, out of the group). */
  async seed(deployment: Deployment): Promise<void> {
    for (const id of POLICY_IDS) {
      const w = await this.send(deployment, 'policy', id, 'allow', 'POST');
      if (!acked(w)) throw new Error(`creating ${id} answered ${w.outcome}`);
    }
    for (const id of PRINCIPAL_IDS) {
      const w = await this.send(deployment, 'principal', id, 'out', 'PUT');
      if (!acked(w)) throw new Error(`creating ${id} answered ${w.outcome}`);
    }
  }

  /** The next change of the load: mostly policy flips, every fourth a principal's membership. */
  async nextChange(deployment: Deployment): Promise<void> {
    const n = this.n++;
    if (n % 4 === 3) {
      const id = PRINCIPAL_IDS[Math.floor(n / 4) % PRINCIPAL_IDS.length];
      await this.send(deployment, 'principal', id, this.lastAcked(id)?.state === 'in' ? 'out' : 'in', 'PUT');
    } else {
      const id = POLICY_IDS[n % POLICY_IDS.length];
      await this.send(
        deployment,
        'policy',
        id,
        this.lastAcked(id)?.state === 'allow' ? 'deny' : 'allow',
        'PUT',
      );
    }
  }

  private async send(
    deployment: Deployment,
    kind: WriteSample['kind'],
    id: string,
    state: WriteSample['state'],
    method: 'POST' | 'PUT',
  ): Promise<WriteSample> {
    const base = deployment.services['policy-admin'].url;
    const path =
      kind === 'policy'
        ? method === 'POST'
          ? '/v1/zt-policy/policies'
          : `/v1/zt-policy/policies/${id}`
        : `/v1/zt-policy/principals/${encodeURIComponent(id)}`;
    const body =
      kind === 'policy'
        ? policyBody(id, state as 'allow' | 'deny')
        : { type: 'user', roles: [], groups: state === 'in' ? [GROUP] : [], attributes: {} };
    const sample: WriteSample = {
      t: Date.now(),
      tEnd: 0,
      kind,
      id,
      state,
      outcome: 'no_answer',
      retryAfter: null,
      contentType: null,
    };
    try {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${deployment.tokens().admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
      });
      const answer = (await r.json()) as { version?: number };
      sample.outcome = r.status;
      sample.retryAfter = r.headers.get('retry-after');
      sample.contentType = r.headers.get('content-type');
      if (acked(sample)) {
        sample.revision = Number(r.headers.get('zt-policy-revision'));
        // Principals carry their version in the body; policies in the ETag (the body is the document).
        sample.version = answer.version ?? Number(/\d+/.exec(r.headers.get('etag') ?? '')?.[0]);
      }
    } catch {
      // no answer: the change may or may not have been made
    }
    sample.tEnd = Date.now();
    this.writes.push(sample);
    return sample;
  }

  /** The last acknowledged write of a policy or principal. */
  lastAcked(id: string): WriteSample | undefined {
    for (let i = this.writes.length - 1; i >= 0; i--) {
      if (this.writes[i].id === id && acked(this.writes[i])) return this.writes[i];
    }
    return undefined;
  }

  /** Whether a write of `id` after its last acknowledged one went unanswered (its outcome unknown). */
  unknownAfterLastAck(id: string): boolean {
    const last = this.lastAcked(id);
    return this.writes.some((w) => w.id === id && w.outcome === 'no_answer' && w.t > (last?.t ?? 0));
  }

  /** Versions of a policy the admin acknowledged. */
  ackedVersions(id: string): Set<number> {
    return new Set(this.writes.filter((w) => w.id === id && acked(w)).map((w) => w.version!));
  }

  /** The highest revision acknowledged by `t`. */
  revisionAckedBy(t: number): number {
    let revision = 0;
    for (const w of this.writes) if (acked(w) && w.tEnd <= t) revision = Math.max(revision, w.revision!);
    return revision;
  }

  /** Writes answered between `from` and `to`. */
  between(from: number, to: number): WriteSample[] {
    return this.writes.filter((w) => w.tEnd >= from && w.tEnd <= to);
  }

  isAcked(w: WriteSample): boolean {
    return acked(w);
  }
}
