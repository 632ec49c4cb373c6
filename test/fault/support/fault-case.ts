import { call } from '../../support/http';
import {
  auditAccounting,
  drainTime,
  exportCheck,
  KilledReplica,
  policyAccounting,
  postureAccounting,
  refusedNeverApplied,
} from './accounting';
import { AdminLedger } from './admin-ledger';
import { Check, checkOf } from './checks';
import { Deployment, SERVICE_NAMES } from './deployment';
import {
  FaultWindow,
  noServerErrors,
  noStaleWhileReady,
  restrictionHeld,
  statusListsReplicas,
} from './expectations';
import { MixedLoad, Replica, REPLICAS } from './load';
import { Observer } from './observer';

/** What a fault case can reach. */
export interface FaultContext {
  deployment: Deployment;
  load: MixedLoad;
  ledger: AdminLedger;
  observer: Observer;
}

/** One fault: take a part away, hold, bring it back; then what must have held during it. */
export interface FaultCase {
  name: string;
  /** Injects the fault and restores the part; resolves with the times (and a killed replica). */
  inject(
    ctx: FaultContext,
  ): Promise<{ faultAt: number; restoringAt: number; restoredAt: number; killed?: KilledReplica }>;
  /** Replicas that had to keep deciding during the fault. */
  deciding: Replica[];
  /** The fault's own checks of what happened while it lasted. */
  during(ctx: FaultContext, w: FaultWindow): Check[];
}

/** What a case measured and found. */
export interface CaseResult {
  name: string;
  /** From the fault until the part was back (a broker's restart with log recovery included). */
  faultSeconds: number;
  /** From restore until every service's /readyz says ready (not degraded). */
  readySeconds?: number;
  /** From restore until every replica holds every change acknowledged before the restore. */
  convergeSeconds?: number;
  /** From restore until every decision answered before the restore is in the audit store. */
  drainSeconds?: number;
  decisionsAnswered: number;
  checks: Check[];
}

/** Generous: a sanity bound, not a target (targets are measured and documented, never asserted). */
export const RECOVERY_BOUND_MS = 120_000;
// Time for the services to notice a fault and for a replica to catch up once its dependency is back.
export const DETECT_GRACE_MS = 10_000;
const STEADY_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function pollUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await probe().catch(() => false)) return Date.now() - start;
    await sleep(250);
  }
  return undefined;
}

async function allReady(deployment: Deployment): Promise<boolean> {
  const answers = await Promise.all(
    SERVICE_NAMES.map((name) => call<{ status: string }>(deployment.services[name].url, 'GET', '/readyz')),
  );
  return answers.every((r) => r.status === 200 && r.body.status === 'ready');
}

async function converged(deployment: Deployment, revision: number): Promise<boolean> {
  const answers = await Promise.all(
    REPLICAS.map((replica) =>
      call<{ checks: { 'policy-state'?: { detail?: { revision?: number } } } }>(
        deployment.services[replica].url,
        'GET',
        '/readyz',
      ),
    ),
  );
  return answers.every((r) => (r.body.checks['policy-state']?.detail?.revision ?? 0) >= revision);
}

/** Retries a group of checks until all pass or the time is up; the last result either way. */
async function settled(run: () => Promise<Check[]>, timeoutMs: number): Promise<Check[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const checks = await run().catch((error: unknown) => [checkOf('checks could run', [String(error)])]);
    if (checks.every((c) => c.ok) || Date.now() > deadline) return checks;
    await sleep(1_000);
  }
}

/**
 * Runs one case under the steady load: a few seconds of steady state, the fault, the measured
 * recovery, then the exact accounting with changes paused. `from` is where the previous case's
 * accounting ended, so every decision is accounted for by exactly one case.
 */
export async function runFaultCase(
  ctx: FaultContext,
  fault: FaultCase,
  from: number,
): Promise<CaseResult & { to: number }> {
  const { deployment, load, ledger, observer } = ctx;
  await sleep(STEADY_MS);
  const { faultAt, restoringAt, restoredAt, killed } = await fault.inject(ctx);
  const w: FaultWindow = { from, faultAt, restoringAt, restoredAt };
  // Measured side by side, each from the restore.
  const [readyMs, convergeMs, drainMs] = await Promise.all([
    pollUntil(() => allReady(deployment), RECOVERY_BOUND_MS),
    pollUntil(() => converged(deployment, ledger.revisionAckedBy(restoredAt)), RECOVERY_BOUND_MS),
    drainTime(deployment.databaseUrl, load.decisions, { from, to: restoredAt }, RECOVERY_BOUND_MS, killed),
  ]);
  // Enough load after the recovery for the "stale while ready" checks to look at.
  await sleep(Math.max(0, restoredAt + DETECT_GRACE_MS + 5_000 - Date.now()));

  load.pauseWrites();
  await sleep(1_500); // the write in flight, if any, is answered
  const to = Date.now();
  const checks: Check[] = [];
  try {
    checks.push(
      checkOf(
        `back within ${RECOVERY_BOUND_MS / 1000} s (ready, converged, drained)`,
        [
          readyMs === undefined ? 'not every service said ready' : '',
          convergeMs === undefined ? 'a replica never reached the acknowledged revision' : '',
          drainMs === undefined ? 'the audit store never held every answered decision' : '',
        ].filter(Boolean),
      ),
    );
    checks.push(...fault.during(ctx, w));
    checks.push(restrictionHeld(load.decisions, { from, to }));
    checks.push(noServerErrors(load.decisions, { from, to }));
    checks.push(
      ...noStaleWhileReady(observer, load.decisions, ledger, REPLICAS, restoredAt, to, DETECT_GRACE_MS),
    );
    checks.push(statusListsReplicas(observer.status, REPLICAS, restoredAt, to, DETECT_GRACE_MS));
    checks.push(...(await settled(() => policyAccounting(deployment, ledger), 30_000)));
    checks.push(refusedNeverApplied(load.decisions, ledger));
    await drainTime(deployment.databaseUrl, load.decisions, { from, to }, 60_000, killed);
    const audit = await auditAccounting(deployment, load, observer.metrics, { from, to }, killed);
    checks.push(...audit.checks);
    checks.push(
      ...(await settled(async () => [await postureAccounting(deployment, load.postures, to)], 30_000)),
    );
    checks.push(await exportCheck(deployment));
    return {
      name: fault.name,
      faultSeconds: (restoredAt - faultAt) / 1000,
      readySeconds: readyMs === undefined ? undefined : readyMs / 1000,
      convergeSeconds: convergeMs === undefined ? undefined : convergeMs / 1000,
      drainSeconds: drainMs === undefined ? undefined : drainMs / 1000,
      decisionsAnswered: audit.answered,
      checks,
      to,
    };
  } finally {
    load.resumeWrites();
  }
}
