import { AdminLedger } from './admin-ledger';
import { Check, checkOf, tally } from './checks';
import { ServiceName } from './deployment';
import { DecisionSample, Replica } from './load';
import { MetricSample, Observer, ReadySample, StatusSample } from './observer';

/**
 * The times of one fault: when it began, when bringing the part back began (a broker's restart
 * takes seconds of log recovery, while which it already answers some), and when it was back.
 */
export interface FaultWindow {
  from: number;
  faultAt: number;
  restoringAt: number;
  restoredAt: number;
}

const answered = (d: DecisionSample) => d.outcome === '200' || d.outcome === 'OK';

/** Decisions on these replicas kept being answered (200 / OK) during the fault: fail-static. */
export function keptDeciding(decisions: DecisionSample[], replicas: Replica[], w: FaultWindow): Check {
  const during = decisions.filter(
    (d) => replicas.includes(d.replica) && d.t >= w.faultAt && d.t <= w.restoredAt,
  );
  const failed = during.filter((d) => !answered(d));
  return checkOf(
    `decisions answered during the fault (${replicas.join(', ')})`,
    failed.length
      ? [
          `${failed.length} of ${during.length} not answered: ${tally(failed.map((d) => `${d.via} ${d.kind} ${d.outcome} ${d.code ?? ''}`))}`,
        ]
      : [],
    `${during.length} answered`,
  );
}

const internalError = (d: DecisionSample) =>
  (/^5\d\d$/.test(d.outcome) && d.outcome !== '503') || d.outcome === 'INTERNAL' || d.outcome === 'UNKNOWN';

/**
 * A device restricted before the fault was never allowed, before, during or after it, nor answered
 * with an internal error (a refusal, 503 or RESOURCE_EXHAUSTED, lifts nothing: the fail-static
 * check counts those).
 */
export function restrictionHeld(decisions: DecisionSample[], w: { from: number; to: number }): Check {
  const bad = decisions.filter((d) => d.kind === 'device-bad' && d.t >= w.from && d.t <= w.to);
  const lifted = bad.filter((d) => answered(d) && d.decision !== 'deny' && d.decision !== 'isolate');
  const errors = bad.filter(internalError);
  return checkOf(
    'the restricted device stays restricted (deny or isolate, never an internal error)',
    [
      ...(lifted.length
        ? [
            `${lifted.length} of ${bad.length} answered ${tally(lifted.map((d) => `${d.replica} ${d.decision}`))}`,
          ]
        : []),
      ...(errors.length
        ? [
            `${errors.length} of ${bad.length} failed: ${tally(errors.map((d) => `${d.via} ${d.outcome} ${d.code ?? ''}`))}`,
          ]
        : []),
    ],
    `${bad.length} decisions about it`,
  );
}

/** No 5xx other than 503 from any decision call in the window. */
export function noServerErrors(decisions: DecisionSample[], w: { from: number; to: number }): Check {
  const errors = decisions.filter((d) => d.t >= w.from && d.t <= w.to && internalError(d));
  return checkOf(
    'no decision answered with an internal error',
    errors.length ? [`${errors.length}: ${tally(errors.map((d) => `${d.via} ${d.kind} ${d.outcome}`))}`] : [],
  );
}

/**
 * /readyz of `services` said what is degraded while the fault lasted (after `graceMs` for the
 * services to notice): `expect` judges each sample.
 */
export function readinessSaid(
  observer: Observer,
  services: ServiceName[],
  w: FaultWindow,
  graceMs: number,
  what: string,
  expect: (s: ReadySample) => boolean,
): Check {
  const samples = observer.ready.filter(
    (s) => services.includes(s.service) && s.t >= w.faultAt + graceMs && s.t <= w.restoringAt,
  );
  const wrong = samples.filter((s) => !expect(s));
  return checkOf(
    `/readyz during the fault: ${what}`,
    wrong.length
      ? [
          `${wrong.length} of ${samples.length} samples: ${tally(wrong.map((s) => `${s.service} ${s.http} ${s.status ?? ''} [${s.failing.join(',')}]`))}`,
        ]
      : [],
    `${samples.length} samples`,
  );
}

/** A replica that said ready (not degraded) after recovery was never behind a change acknowledged `graceMs` earlier. */
export function noStaleWhileReady(
  observer: Observer,
  decisions: DecisionSample[],
  ledger: AdminLedger,
  replicas: Replica[],
  after: number,
  to: number,
  graceMs: number,
): Check[] {
  const staleReady = observer.ready.filter(
    (s) =>
      replicas.includes(s.service as Replica) &&
      s.t >= after + graceMs &&
      s.t <= to &&
      s.http === 200 &&
      s.status === 'ready' &&
      (s.revision ?? 0) < ledger.revisionAckedBy(s.t - graceMs),
  );
  const staleAnswers = decisions.filter((d) => {
    if (!replicas.includes(d.replica) || d.t < after + graceMs || d.t > to || !answered(d)) return false;
    if ((d.revision ?? 0) >= ledger.revisionAckedBy(d.t - graceMs)) return false;
    const ready = observer.readyAt(d.replica, d.t);
    return ready?.http === 200 && ready.status === 'ready';
  });
  return [
    checkOf(
      `no replica says ready while more than ${graceMs / 1000} s behind an acknowledged change`,
      staleReady.map((s) => `${s.service} ready at r${s.revision}, +${Math.round((s.t - after) / 1000)} s`),
    ),
    checkOf(
      `no stale answers from a replica that says ready (${graceMs / 1000} s after recovery)`,
      staleAnswers.length
        ? [
            `${staleAnswers.length} answers behind, last +${Math.round((staleAnswers[staleAnswers.length - 1].t - after) / 1000)} s`,
          ]
        : [],
    ),
  ];
}

/** GET /status lists every live replica once the broker is back (after `graceMs`). */
export function statusListsReplicas(
  status: StatusSample[],
  replicas: Replica[],
  after: number,
  to: number,
  graceMs: number,
): Check {
  const wrong = status.filter(
    (s) =>
      s.t >= after + graceMs &&
      s.t <= to &&
      (s.http !== 200 || !replicas.every((r) => s.replicas.some((x) => x.instance === r))),
  );
  return checkOf(
    'GET /status lists every replica after recovery',
    wrong.map(
      (s) =>
        `+${Math.round((s.t - after) / 1000)} s: ${s.http} replicas [${s.replicas.map((r) => r.instance).join(',')}]`,
    ),
  );
}

/** An outage answer is a 503 with Retry-After as problem+json, never a 500. */
export function outageAnswers(
  ledger: AdminLedger,
  status: StatusSample[],
  w: FaultWindow,
  graceMs: number,
): Check[] {
  const writes = ledger.between(w.faultAt + graceMs, w.restoringAt).filter((x) => !ledger.isAcked(x));
  const badWrites = writes.filter(
    (x) => x.outcome !== 503 || !x.retryAfter || !x.contentType?.startsWith('application/problem+json'),
  );
  const views = status.filter((s) => s.t >= w.faultAt + graceMs && s.t <= w.restoringAt);
  const badViews = views.filter((s) => s.http !== 200 && (s.http !== 503 || !s.retryAfter));
  return [
    checkOf(
      'admin writes during the outage answer 503 with Retry-After (problem+json)',
      badWrites.length
        ? [
            `${badWrites.length} of ${writes.length}: ${tally(badWrites.map((x) => `${x.outcome} retry-after=${x.retryAfter} ${x.contentType ?? ''}`))}`,
          ]
        : [],
      `${writes.length} refused writes`,
    ),
    checkOf(
      'GET /status during the outage answers 200 or 503 with Retry-After',
      badViews.length
        ? [`${badViews.length} of ${views.length}: ${tally(badViews.map((s) => `${s.http}`))}`]
        : [],
    ),
  ];
}

/** The rate limiter's fail-open while Redis is away shows in zt_rate_limit_unchecked_total. */
export function uncheckedCounted(metrics: MetricSample[], replicas: Replica[], w: FaultWindow): Check {
  const grew = replicas.filter((replica) => {
    const values = metrics.filter(
      (m) => m.replica === replica && m.t >= w.faultAt && m.t <= w.restoredAt + 2_000,
    );
    return values.length >= 2 && values[values.length - 1].rateLimitUnchecked > values[0].rateLimitUnchecked;
  });
  return checkOf(
    'metrics show the unchecked rate limits while Redis is away',
    replicas.filter((r) => !grew.includes(r)).map((r) => `${r}: zt_rate_limit_unchecked_total did not grow`),
  );
}
