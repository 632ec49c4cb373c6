import { writeFileSync } from 'node:fs';
import type { Connection } from './connection';
import { CliFailure, CommandResult, EXIT } from './exit-codes';
import { fetchSnapshot } from './policy-export.command';
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
 * create, change (member by member) and delete. Exit 3 when there are changes, 0 when none.
 */
export async function planCommand(
  connection: Connection,
  dir: string,
  options: { out?: string; output: OutputFormat },
): Promise<CommandResult> {
  const plan = await planFor(connection, dir);
  if (options.out) writeFileSync(options.out, `${JSON.stringify(plan, null, 2)}\n`);
  const exitCode = plan.changes.length > 0 ? EXIT.changes : EXIT.ok;
  const text = options.output === 'json' ? JSON.stringify(plan, null, 2) : describePlan(plan);
  return {
    text: options.out && options.output === 'text' ? `${text}\nsaved to ${options.out}` : text,
    exitCode,
  };
}
