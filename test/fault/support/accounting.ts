import type { PolicySnapshot } from '@zt/contracts';
import { Client } from 'pg';
import { call } from '../../support/http';
import { AdminLedger } from './admin-ledger';
import { Check, checkOf } from './checks';
import { Deployment } from './deployment';
import { DecisionSample, MixedLoad, PostureSample, Replica, REPLICAS } from './load';
import { MetricSample } from './observer';
import { GROUP, GROUP_RESOURCE, HEALTHY_DEVICES, POLICY_IDS, PRINCIPAL_IDS, resourceOf } from './workload';

type Decided = {
  decision: string;
  revision: number;
  decidingPolicies: { id: string; version: number }[];
};

/**
 * With changes paused: every acknowledged policy and principal change is what policy-admin holds
 * (nothing it refused was written), and every replica answers from exactly that revision with
 * exactly those policies and memberships.
 */
export async function policyAccounting(deployment: Deployment, ledger: AdminLedger): Promise<Check[]> {
  const { admin, pep } = deployment.tokens();
  const adminUrl = deployment.services['policy-admin'].url;
  const snap = await call<PolicySnapshot>(adminUrl, 'GET', '/v1/zt-policy/policies:snapshot', {
    token: admin,
  });
  if (snap.status !== 200) {
    return [checkOf('admin holds exactly the acknowledged changes', [`snapshot answered ${snap.status}`])];
  }
  const held: string[] = [];
  for (const id of [...POLICY_IDS, ...PRINCIPAL_IDS]) {
    const last = ledger.lastAcked(id);
    if (!last || ledger.unknownAfterLastAck(id)) continue;
    const record =
      last.kind === 'policy'
        ? snap.body.policies.find((p) => p.policyId === id)
        : snap.body.principals.find((p) => p.principalId === id);
    if (record?.revision !== last.revision) {
      held.push(`${id}: admin holds revision ${record?.revision}, last acknowledged ${last.revision}`);
    }
  }
  const revision = snap.body.revision;
  const replicas: string[] = [];
  for (const replica of REPLICAS) {
    const url = deployment.services[replica].url;
    const decide = (body: Record<string, unknown>) =>
      call<Decided>(url, 'POST', '/v1/zt-policy/decisions', {
        token: pep,
        body: { ...body, min_revision: revision },
      });
    for (const id of POLICY_IDS) {
      const last = ledger.lastAcked(id);
      if (!last || ledger.unknownAfterLastAck(id)) continue;
      const r = await decide({
        subject: { id: 'alice@company.com' },
        action: 'read',
        resource: { id: resourceOf(id) },
      });
      const version = r.body.decidingPolicies?.find((p) => p.id === id)?.version;
      if (r.status !== 200) replicas.push(`${replica} ${id}: ${r.status}`);
      else if (r.body.revision !== revision || r.body.decision !== last.state || version !== last.version) {
        replicas.push(
          `${replica} ${id}: ${r.body.decision} v${version} at r${r.body.revision}; acknowledged ${last.state} v${last.version}, admin at r${revision}`,
        );
      }
    }
    for (const id of PRINCIPAL_IDS) {
      const last = ledger.lastAcked(id);
      if (!last || ledger.unknownAfterLastAck(id)) continue;
      const r = await decide({ subject: { id }, action: 'read', resource: { id: GROUP_RESOURCE } });
      const expected = last.state === 'in' ? 'allow' : 'deny';
      if (r.status !== 200 || r.body.decision !== expected) {
        replicas.push(
          `${replica} ${id} (${last.state} ${GROUP}): ${r.status} ${r.body.decision}, expected ${expected}`,
        );
      }
    }
  }
  return [
    checkOf('admin holds exactly the acknowledged changes', held, `admin at r${revision}`),
    checkOf(
      'every replica applies every acknowledged change at the admin revision',
      replicas,
      `r${revision}`,
    ),
  ];
}

/** No decision ever named a policy version the admin did not acknowledge. */
export function refusedNeverApplied(decisions: DecisionSample[], ledger: AdminLedger): Check {
  const problems = new Set<string>();
  for (const d of decisions) {
    for (const p of d.policies ?? []) {
      if (!POLICY_IDS.includes(p.id)) continue;
      if (
        !ledger.ackedVersions(p.id).has(p.version) &&
        !ledger.writes.some((w) => w.id === p.id && w.outcome === 'no_answer')
      ) {
        problems.add(`${d.replica} decided with ${p.id} v${p.version}, never acknowledged`);
      }
    }
  }
  return checkOf('no decision used a change the admin refused', [...problems]);
}

/** Decision log drops the replicas counted (counter increases; a restart starts again from 0). */
export function countedDrops(metrics: MetricSample[], from: number, to: number): number {
  let dropped = 0;
  for (const replica of REPLICAS) {
    let previous: number | undefined;
    for (const m of metrics.filter((x) => x.replica === replica && x.t >= from && x.t <= to)) {
      if (previous !== undefined)
        dropped += m.logDropped >= previous ? m.logDropped - previous : m.logDropped;
      previous = m.logDropped;
    }
  }
  return dropped;
}

/** Which of these decision ids the audit store holds (as `decision-<id>` records). */
async function recorded(db: Client, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 2_000) {
    const chunk = ids.slice(i, i + 2_000).map((id) => `decision-${id}`);
    const { rows } = await db.query<{ event_id: string }>(
      'SELECT event_id FROM audit.records WHERE event_id = ANY($1::text[])',
      [chunk],
    );
    for (const row of rows) found.add(row.event_id.slice('decision-'.length));
  }
  return found;
}

/** A replica killed with SIGKILL at `at`: what it had answered and not yet published died with it. */
export interface KilledReplica {
  replica: Replica;
  at: number;
}

// The decision log publishes every DECISION_LOG_FLUSH_MS (50 ms) and a batch waits for the broker's
// acknowledgement; a second covers what a SIGKILL can catch in flight.
const KILL_WINDOW_MS = 1_000;

const lostWithKill = (d: DecisionSample, killed: KilledReplica) =>
  d.replica === killed.replica && d.t >= killed.at - KILL_WINDOW_MS && d.t <= killed.at;

/**
 * Polls until the audit store holds every decision answered from `from` to `to` (but what a killed
 * replica may have lost with it); the time it took, or undefined.
 */
export async function drainTime(
  databaseUrl: string,
  decisions: DecisionSample[],
  window: { from: number; to: number },
  timeoutMs: number,
  killed?: KilledReplica,
): Promise<number | undefined> {
  const ids = decisions
    .filter(
      (d) => d.decisionId && d.t >= window.from && d.t <= window.to && !(killed && lostWithKill(d, killed)),
    )
    .map((d) => d.decisionId!);
  const start = Date.now();
  const pending = new Set(ids);
  while (Date.now() - start < timeoutMs) {
    const db = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
    try {
      await db.connect();
      for (const id of await recorded(db, [...pending])) pending.delete(id);
    } catch {
      // the database is not back yet
    } finally {
      await db.end().catch(() => undefined);
    }
    if (pending.size === 0) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return undefined;
}

/**
 * Every decision answered in [from, to] is in the audit store exactly once, or in its dead-letter
 * store, or counted as dropped by the replica that made it; and the chain verifies.
 */
export async function auditAccounting(
  deployment: Deployment,
  load: MixedLoad,
  metrics: MetricSample[],
  window: { from: number; to: number },
  killed?: KilledReplica,
): Promise<{ checks: Check[]; answered: number }> {
  const answered = load.decisions.filter((d) => d.decisionId && d.t >= window.from && d.t <= window.to);
  const db = new Client({ connectionString: deployment.databaseUrl });
  await db.connect();
  try {
    const found = await recorded(
      db,
      answered.map((d) => d.decisionId!),
    );
    let missing = answered.filter((d) => !found.has(d.decisionId!));
    const deadLettered: string[] = [];
    for (const d of missing) {
      const { rows } = await db.query(
        `SELECT 1 FROM audit.dead_letters WHERE position($1 in convert_from(raw, 'UTF8')) > 0 LIMIT 1`,
        [d.decisionId],
      );
      if (rows.length > 0) deadLettered.push(d.decisionId!);
    }
    missing = missing.filter((d) => !deadLettered.includes(d.decisionId!));
    const lost = killed ? missing.filter((d) => lostWithKill(d, killed)) : [];
    missing = missing.filter((d) => !lost.includes(d));
    const drops = countedDrops(metrics, window.from, window.to + 60_000);
    const unexplained = missing.length > drops ? missing : [];
    const { rows: twice } = await db.query<{ subject: string; n: string }>(
      `SELECT subject, count(*) AS n FROM audit.records WHERE type = 'com.zt.decision.made'
       GROUP BY subject HAVING count(*) > 1 LIMIT 10`,
    );
    const verdict = await call<{ valid: boolean; records: number; firstBroken?: unknown }>(
      deployment.services.audit.url,
      'GET',
      '/v1/zt-policy/audit/verify',
      { token: deployment.tokens().auditor },
    );
    const summary = [
      `${answered.length} answered`,
      `${found.size} recorded`,
      deadLettered.length ? `${deadLettered.length} dead-lettered` : '',
      drops ? `${drops} counted drops` : '',
      lost.length ? `${lost.length} in the killed replica's last ${KILL_WINDOW_MS} ms, lost with it` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return {
      answered: answered.length,
      checks: [
        checkOf(
          'every answered decision is in the audit store (or dead-lettered, or a counted drop)',
          unexplained.map((d) => `${d.decisionId} (${d.replica} ${d.via} at +${d.t - window.from} ms)`),
          summary,
        ),
        checkOf(
          'no decision recorded twice',
          twice.map((r) => `${r.subject}×${r.n}`),
        ),
        checkOf(
          'the audit chain verifies',
          verdict.status === 200 && verdict.body.valid
            ? []
            : [`${verdict.status} ${JSON.stringify(verdict.body)}`],
          `${verdict.body?.records} records`,
        ),
      ],
    };
  } finally {
    await db.end();
  }
}

type DeviceView = { observed_at: string; risk: { observedAt?: string; restricted?: boolean } | null };

/**
 * Device intelligence holds, for every healthy device, the latest posture it accepted before `t`
 * (or a later one), and has scored it.
 */
export async function postureAccounting(
  deployment: Deployment,
  postures: PostureSample[],
  t: number,
): Promise<Check> {
  const problems: string[] = [];
  for (const device of HEALTHY_DEVICES) {
    const accepted = postures.filter((p) => p.device === device && p.status === 202 && p.t <= t);
    const last = accepted[accepted.length - 1];
    if (!last) continue;
    const r = await call<DeviceView>(
      deployment.services['device-intelligence'].url,
      'GET',
      `/v1/zt-policy/device-intelligence/devices/${device}`,
      { token: deployment.tokens().admin },
    );
    if (r.status !== 200) {
      problems.push(`${device}: ${r.status}`);
    } else if (Date.parse(r.body.observed_at) < Date.parse(last.observedAt)) {
      problems.push(`${device}: holds posture of ${r.body.observed_at}, accepted one of ${last.observedAt}`);
    } else if (r.body.risk?.observedAt !== r.body.observed_at) {
      problems.push(
        `${device}: posture of ${r.body.observed_at} scored ${r.body.risk?.observedAt ?? 'never'}`,
      );
    }
  }
  return checkOf('device intelligence holds and scored every accepted posture', problems);
}

/** An audit export answers whole: 200, ending with the checkpoint over its last record. */
export async function exportCheck(deployment: Deployment): Promise<Check> {
  const r = await fetch(`${deployment.services.audit.url}/v1/zt-policy/audit/export`, {
    headers: { authorization: `Bearer ${deployment.tokens().auditor}` },
    signal: AbortSignal.timeout(120_000),
  });
  const lines = (await r.text()).split('\n').filter((line) => line.length > 0);
  const last = lines.length > 0 ? (JSON.parse(lines[lines.length - 1]) as { kind?: string }) : {};
  return checkOf(
    'an audit export answers whole after the fault',
    r.status === 200 && last.kind === 'checkpoint' ? [] : [`${r.status}, last line ${last.kind}`],
    `${lines.length} lines`,
  );
}
