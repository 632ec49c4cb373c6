import { keptDeciding, outageAnswers, readinessSaid, uncheckedCounted } from './expectations';
import { DETECT_GRACE_MS, FaultCase } from './fault-case';
import { REPLICAS } from './load';

/** How long a dependency stays away: 20–30 s asked, at the low end to fit the suite's budget. */
export const HOLD_MS = Number(process.env.FAULT_HOLD_MS ?? 22_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const brokerDegraded = {
  during: (ctx: Parameters<FaultCase['during']>[0], w: Parameters<FaultCase['during']>[1]) => [
    keptDeciding(ctx.load.decisions, REPLICAS, w),
    readinessSaid(
      ctx.observer,
      ['decision-a', 'decision-b'],
      w,
      DETECT_GRACE_MS,
      'decision replicas answer 200 "degraded" (fail-static)',
      (s) => s.http === 200 && s.status === 'degraded',
    ),
  ],
};

/** The broker killed outright, then started again (log recovery included). */
export const kafkaKilled: FaultCase = {
  name: 'Kafka broker SIGKILL',
  deciding: REPLICAS,
  inject: async ({ deployment }) => {
    const faultAt = Date.now();
    deployment.infra.kafka.kill();
    await sleep(HOLD_MS);
    const restoringAt = Date.now();
    await deployment.infra.kafka.start();
    return { faultAt, restoringAt, restoredAt: Date.now() };
  },
  ...brokerDegraded,
};

/** A hung broker: connections stay open, nothing answers. */
export const kafkaFrozen: FaultCase = {
  name: 'Kafka broker SIGSTOP',
  deciding: REPLICAS,
  inject: async ({ deployment }) => {
    const faultAt = Date.now();
    deployment.infra.kafka.freeze();
    await sleep(HOLD_MS);
    deployment.infra.kafka.thaw();
    return { faultAt, restoringAt: Date.now(), restoredAt: Date.now() };
  },
  ...brokerDegraded,
};

/** Redis killed and started again empty: device state, decision cache and rate counters gone. */
export const redisLost: FaultCase = {
  name: 'Redis killed, restarted empty',
  deciding: REPLICAS,
  inject: async ({ deployment }) => {
    const faultAt = Date.now();
    deployment.infra.redis.kill();
    await sleep(HOLD_MS);
    const restoringAt = Date.now();
    await deployment.infra.redis.start();
    return { faultAt, restoringAt, restoredAt: Date.now() };
  },
  during: ({ load, observer }, w) => [
    keptDeciding(load.decisions, REPLICAS, w),
    readinessSaid(
      observer,
      ['decision-a', 'decision-b'],
      w,
      DETECT_GRACE_MS,
      'decision replicas name the cache',
      (s) => s.failing.includes('cache'),
    ),
    uncheckedCounted(observer.metrics, REPLICAS, w),
  ],
};

/** PostgreSQL stopped (policy-admin, audit and device intelligence lose their database) and started. */
export const postgresStopped: FaultCase = {
  name: 'PostgreSQL stopped, started',
  deciding: REPLICAS,
  inject: async ({ deployment }) => {
    const faultAt = Date.now();
    await deployment.infra.postgres.stop();
    await sleep(HOLD_MS);
    const restoringAt = Date.now();
    await deployment.infra.postgres.start();
    return { faultAt, restoringAt, restoredAt: Date.now() };
  },
  during: ({ load, ledger, observer }, w) => [
    keptDeciding(load.decisions, REPLICAS, w),
    readinessSaid(
      observer,
      ['policy-admin', 'audit', 'device-intelligence'],
      w,
      DETECT_GRACE_MS,
      'the services with a database name it',
      (s) => s.failing.includes('database'),
    ),
    ...outageAnswers(ledger, observer.status, w, 3_000),
  ],
};

/** One decision replica killed while the other serves; started again, it must converge. */
export const replicaKilled: FaultCase = {
  name: 'decision replica SIGKILL',
  deciding: ['decision-b'],
  inject: async ({ deployment }) => {
    const faultAt = Date.now();
    await deployment.kill('decision-a');
    await sleep(HOLD_MS / 2);
    const restoringAt = Date.now();
    await deployment.restart('decision-a');
    return { faultAt, restoringAt, restoredAt: Date.now(), killed: { replica: 'decision-a', at: faultAt } };
  },
  during: ({ load, observer }, w) => [
    keptDeciding(load.decisions, ['decision-b'], w),
    readinessSaid(observer, ['decision-b'], w, 0, 'the surviving replica stays ready', (s) => s.http === 200),
  ],
};

/** The audit service killed while it stores a batch of decision logs. */
export const auditKilled: FaultCase = {
  name: 'audit SIGKILL mid-batch',
  deciding: REPLICAS,
  inject: async ({ deployment }) => {
    const faultAt = Date.now();
    await deployment.kill('audit');
    await sleep(HOLD_MS / 2);
    const restoringAt = Date.now();
    await deployment.restart('audit');
    return { faultAt, restoringAt, restoredAt: Date.now() };
  },
  during: ({ load }, w) => [keptDeciding(load.decisions, REPLICAS, w)],
};

/** Device intelligence killed while a model call is in flight. */
export const deviceIntelligenceKilled: FaultCase = {
  name: 'device intelligence SIGKILL mid-scoring',
  deciding: REPLICAS,
  inject: async ({ deployment }) => {
    const deadline = Date.now() + 10_000;
    while (deployment.model.inFlight() === 0 && Date.now() < deadline) await sleep(5);
    const midScoring = deployment.model.inFlight() > 0;
    const faultAt = Date.now();
    await deployment.kill('device-intelligence');
    await sleep(HOLD_MS / 2);
    const restoringAt = Date.now();
    await deployment.restart('device-intelligence');
    if (!midScoring)
      throw new Error('no model call was in flight within 10 s: the case did not test what it says');
    return { faultAt, restoringAt, restoredAt: Date.now() };
  },
  during: ({ load }, w) => [keptDeciding(load.decisions, REPLICAS, w)],
};
