import { readFileSync, statSync } from 'node:fs';
import { callServer, Connection, ServerError } from './connection';
import { CliFailure, CommandResult, EXIT } from './exit-codes';
import { changeSetOf } from './changeset-body';
import { describePlan, Plan } from './policy-plan';
import { planFor } from './policy-plan.command';
import type { OutputFormat } from './policy-validate.command';

/** The answer of POST /v1/zt-policy/changesets. */
interface ChangeSetAnswer {
  revision: number;
  changes?: { kind: string; id: string; type?: string; op: string; result: string; version?: number }[];
}

/** Reads a saved plan, refusing a file that is not one. */
export function readPlan(file: string): Plan {
  let plan: Partial<Plan>;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8')) as Partial<Plan>;
  } catch (error) {
    throw new CliFailure(`cannot read the plan ${file}: ${(error as Error).message}`);
  }
  if (
    plan?.ztctl_plan !== 1 ||
    !Number.isSafeInteger(plan.revision) ||
    !Array.isArray(plan.changes) ||
    typeof plan.server !== 'string'
  )
    throw new CliFailure(`${file} is not a plan saved by ztctl policy plan --out`);
  return plan as Plan;
}

/** Whether `source` names a saved plan (a file) rather than a repository (a folder). */
export function isPlanFile(source: string): boolean {
  try {
    return statSync(source).isFile();
  } catch {
    throw new CliFailure(`${source} is neither a repository folder nor a plan file`, EXIT.usage);
  }
}

/**
 * `ztctl policy apply --server URL DIR|PLAN [--reason TEXT]`: applies a repository (planned now)
 * or a saved plan through one change set. A saved plan carries the revision it was made against:
 * the server refuses it once anything changed since, and the exit code is then 4.
 */
export async function applyCommand(
  connection: Connection,
  plan: Plan,
  options: { reason?: string; output: OutputFormat },
): Promise<CommandResult> {
  if (plan.changes.length === 0) {
    const text =
      options.output === 'json'
        ? JSON.stringify({ applied: false, revision: plan.revision })
        : describePlan(plan);
    return { text, exitCode: EXIT.ok };
  }
  let answer: ChangeSetAnswer;
  try {
    ({ body: answer } = await callServer<ChangeSetAnswer>(
      connection,
      'POST',
      '/changesets',
      changeSetOf(plan, options.reason),
    ));
  } catch (error) {
    if (error instanceof ServerError && (error.status === 409 || error.status === 412))
      throw new CliFailure(
        `the server moved since the plan was made at revision ${plan.revision}; nothing was applied. Plan again. (${error.message})`,
        EXIT.stale,
      );
    throw error;
  }
  if (options.output === 'json')
    return { text: JSON.stringify({ applied: true, ...answer }, null, 2), exitCode: EXIT.ok };
  const { create, update, delete: remove } = plan.summary;
  return {
    text: `${describePlan(plan)}\n\napplied as one change set: revision ${answer.revision} (${create} created, ${update} changed, ${remove} deleted)`,
    exitCode: EXIT.ok,
  };
}

/** A repository is planned against the server now; a plan file is read as saved. */
export async function planToApply(connection: Connection, source: string): Promise<Plan> {
  if (!isPlanFile(source)) return planFor(connection, source);
  const plan = readPlan(source);
  if (plan.server !== connection.server)
    throw new CliFailure(`the plan was made against ${plan.server}, not ${connection.server}`);
  return plan;
}
