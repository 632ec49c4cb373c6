import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaseResult } from './fault-case';

const RESULTS = join(__dirname, '..', '..', '..', 'bench', 'results', 'fault.json');

const seconds = (s: number | undefined) => (s === undefined ? 'never' : s.toFixed(1));

/**
 * The cases as a table: timings measured (never asserted beyond a sanity bound) and failed checks.
 * down: from the fault until the part was back; ready, converged, drained: from then until every
 * service said ready, every replica held every change acknowledged by then, and the audit store
 * held every decision answered by then.
 */
export function resultTable(results: CaseResult[]): string {
  const header = '| fault | down s | ready s | converged s | drained s | decisions | checks failed |';
  const rows = results.map((r) => {
    const failed = r.checks.filter((c) => !c.ok);
    return `| ${r.name} | ${r.faultSeconds.toFixed(1)} | ${seconds(r.readySeconds)} | ${seconds(r.convergeSeconds)} | ${seconds(r.drainSeconds)} | ${r.decisionsAnswered} | ${failed.length}/${r.checks.length} |`;
  });
  const details = results.flatMap((r) =>
    r.checks.filter((c) => !c.ok).map((c) => `- ${r.name}: ${c.name}: ${c.detail}`),
  );
  return [header, '|---|---|---|---|---|---|---|', ...rows, '', ...details].join('\n');
}

/** Writes every case's figures and checks to bench/results/fault.json (git-ignored). */
export function writeResults(results: CaseResult[], extra: Record<string, unknown>): string {
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ at: new Date().toISOString(), ...extra, cases: results }, null, 2)}\n`,
  );
  return RESULTS;
}
