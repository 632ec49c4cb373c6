import { AdminLedger } from './support/admin-ledger';
import { Deployment, startDeployment } from './support/deployment';
import { CaseResult, FaultCase, FaultContext, runFaultCase } from './support/fault-case';
import {
  auditKilled,
  deviceIntelligenceKilled,
  HOLD_MS,
  kafkaFrozen,
  kafkaKilled,
  postgresStopped,
  redisLost,
  replicaKilled,
} from './support/fault-cases';
import { FaultInfra, startFaultInfra } from './support/fault-infra';
import { DEFAULT_SHAPE, MixedLoad } from './support/load';
import { Observer } from './support/observer';
import { resultTable, writeResults } from './support/report';
import { seedWorkload } from './support/workload';

const ALL: FaultCase[] = [
  kafkaKilled,
  kafkaFrozen,
  redisLost,
  postgresStopped,
  replicaKilled,
  auditKilled,
  deviceIntelligenceKilled,
];
// FAULT_ONLY=redis,audit (parts of cases' names, case-insensitive) runs only the matching cases.
const only = process.env.FAULT_ONLY?.toLowerCase().split(',');
const FAULTS = only ? ALL.filter((f) => only.some((part) => f.name.toLowerCase().includes(part))) : ALL;

/**
 * Every service as its own process on Kafka, Redis and PostgreSQL of the suite's own (never the
 * shared ones), under a steady mixed load; each case takes one part away and brings it back, then
 * accounts exactly for every change and decision. Cases run in sequence on one environment.
 */
describe('faults under load: nothing acknowledged is lost, decisions keep flowing', () => {
  let infra: FaultInfra | undefined;
  let deployment: Deployment | undefined;
  let load: MixedLoad | undefined;
  let observer: Observer | undefined;
  let ctx: FaultContext;
  const results: CaseResult[] = [];
  let from = 0;

  beforeAll(async () => {
    infra = await startFaultInfra();
    deployment = await startDeployment(infra);
    const ledger = new AdminLedger();
    await ledger.seed(deployment);
    await seedWorkload(deployment);
    observer = new Observer(deployment);
    observer.start();
    load = new MixedLoad(deployment, ledger);
    load.start();
    ctx = { deployment, load, ledger, observer };
    from = Date.now();
  }, 300_000);

  afterAll(async () => {
    await load?.stop();
    observer?.stop();
    if (results.length > 0) {
      const file = writeResults(results, { holdMs: HOLD_MS, load: DEFAULT_SHAPE });
      process.stdout.write(`\nfault suite\n${resultTable(results)}\n(written to ${file})\n`);
    }
    await deployment?.stop();
    await infra?.destroy();
  }, 120_000);

  for (const fault of FAULTS) {
    it(
      fault.name,
      async () => {
        const result = await runFaultCase(ctx, fault, from);
        from = result.to;
        results.push(result);
        process.stdout.write(`\n${resultTable([result])}\n`);
        expect(result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
      },
      400_000,
    );
  }
});
