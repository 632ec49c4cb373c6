import { callServer, Connection, ServerError } from './connection';
import { changeSetOf } from './changeset-body';
import type { Plan } from './policy-plan';

/** Which recorded decisions `plan` replays (`--replay-from`, `--replay-limit`). */
export interface ImpactWindow {
  from?: string;
  limit?: number;
}

/** A decision that would come out differently, as `changesets:simulate` shows it. */
interface FlipExample {
  at: string;
  subject: string;
  action: string;
  resource: string;
}

/** The replay part of `POST /v1/zt-policy/changesets:simulate`'s answer. */
export interface ReplayImpact {
  scanned: number;
  replayed: number;
  invalid: number;
  skipped: { no_input: number; redacted: number };
  changed: number;
  flips: {
    from: string;
    to: string;
    count: number;
    policies: { id: string; count: number }[];
    examples: FlipExample[];
  }[];
  top_subjects: { id: string; count: number }[];
  top_resources: { id: string; count: number }[];
}

/** A plan's impact on recorded decisions, or why the server could not tell it. */
export type PlanImpact = ReplayImpact | { unavailable: string };

/**
 * Replays recorded decisions on the server with the plan's change set (nothing is written). A
 * server that cannot replay (the token may not read decisions, no audit store) leaves the plan
 * as it is, with the reason: the plan itself is still right.
 */
export async function impactOf(
  connection: Connection,
  plan: Plan,
  window: ImpactWindow,
): Promise<PlanImpact> {
  try {
    const { body } = await callServer<{ replay: ReplayImpact }>(connection, 'POST', '/changesets:simulate', {
      ...changeSetOf(plan),
      replay: {
        ...(window.from === undefined ? {} : { from: window.from }),
        ...(window.limit === undefined ? {} : { limit: window.limit }),
      },
    });
    return body.replay;
  } catch (error) {
    if (error instanceof ServerError) return { unavailable: error.message };
    throw error;
  }
}

const n = (value: number) => value.toLocaleString('en');

/** The impact for a reader: flips by effect, the policies that turn them, examples, who is hit most. */
export function describeImpact(impact: PlanImpact): string {
  if ('unavailable' in impact) return `impact: not known (${impact.unavailable})`;
  const skipped = impact.skipped.no_input + impact.skipped.redacted + impact.invalid;
  const head = `impact on ${n(impact.replayed)} recorded decisions${
    skipped > 0
      ? ` (${n(skipped)} not replayable: ${n(impact.skipped.no_input)} without input, ${n(impact.skipped.redacted)} redacted, ${n(impact.invalid)} invalid)`
      : ''
  }: ${impact.changed === 0 ? 'none would change' : `${n(impact.changed)} would change`}`;
  const lines = [head];
  for (const flip of impact.flips) {
    const by = flip.policies.map((p) => `${p.id} ${n(p.count)}`).join(', ');
    lines.push(`  ${flip.from} -> ${flip.to}: ${n(flip.count)}${by ? ` (by ${by})` : ''}`);
    for (const e of flip.examples) lines.push(`      e.g. ${e.subject} ${e.action} ${e.resource} at ${e.at}`);
  }
  const top = (list: { id: string; count: number }[]) => list.map((t) => `${t.id} ${n(t.count)}`).join(', ');
  if (impact.top_subjects.length > 0) lines.push(`  most affected subjects: ${top(impact.top_subjects)}`);
  if (impact.top_resources.length > 0) lines.push(`  most affected resources: ${top(impact.top_resources)}`);
  return lines.join('\n');
}
