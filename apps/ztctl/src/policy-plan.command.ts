import { writeFileSync } from 'node:fs';
import type { Connection } from './connection';
import { CliFailure, CommandResult, EXIT } from './exit-codes';
import { fetchSnapshot } from './policy-export.command';
import { ImpactWindow, impactOf } from './policy-impact';
import { describePlan, makePlan, Plan } from './policy-plan';
import { loadRepository } from './policy-repo';
import { issuesText, OutputFormat } from './policy-validate.command';

/** Reads and validates a repository, and compares it with the server's current snapshot. */
export async function planFor(connection: Connection, dir: string): Promise<Plan> {
  const repository = loadRepository(dir);
  if (repository.issues.length > 0) throw new CliFailure(issuesText(repository));
  return makePlan(repository, await fetchSnapshot(connection), connection.server);
}

/**
 * `ztctl policy plan --server URL DIR [--out plan.json]`: what applying the repository would
 * create, change (member by member) and delete, and what that would do to recorded decisions
 * (unless --no-impact). Exit 3 when there are changes, 0 when none.
 */
export async function planCommand(
  connection: Connection,
  dir: string,
  options: {
    out?: string;
    output: OutputFormat;
    impact?: boolean;
    replayFrom?: string;
    replayLimit?: string;
  },
): Promise<CommandResult> {
  const plan = await planFor(connection, dir);
  if (plan.changes.length > 0 && options.impact !== false) {
    plan.impact = await impactOf(connection, plan, impactWindow(options));
  }
  if (options.out) writeFileSync(options.out, `${JSON.stringify(plan, null, 2)}\n`);
  const exitCode = plan.changes.length > 0 ? EXIT.changes : EXIT.ok;
  const text = options.output === 'json' ? JSON.stringify(plan, null, 2) : describePlan(plan);
  return {
    text: options.out && options.output === 'text' ? `${text}\nsaved to ${options.out}` : text,
    exitCode,
  };
}

/** The replay window from the command line, refused before anything is asked of the server. */
function impactWindow(options: { replayFrom?: string; replayLimit?: string }): ImpactWindow {
  const window: ImpactWindow = {};
  if (options.replayFrom !== undefined) {
    if (Number.isNaN(Date.parse(options.replayFrom)))
      throw new CliFailure(`--replay-from: not an instant: ${options.replayFrom}`, EXIT.usage);
    window.from = new Date(options.replayFrom).toISOString();
  }
  if (options.replayLimit !== undefined) {
    const limit = Number(options.replayLimit);
    if (!Number.isInteger(limit) || limit < 1)
      throw new CliFailure(`--replay-limit: not a positive integer: ${options.replayLimit}`, EXIT.usage);
    window.limit = limit;
  }
  return window;
}
