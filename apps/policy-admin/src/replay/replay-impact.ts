import type { RecordedDecisionInput } from '@zt/contracts';
import type { DecisionResult } from '@zt/policy-engine';
import { rejoined, ReplaySide } from './replay-state';

/** One recorded decision to replay. */
export interface ReplayRecord {
  decisionId: string;
  at: string;
  input: RecordedDecisionInput;
}

/** A decision that comes out differently after the change. */
export interface FlipExample {
  decision_id: string;
  at: string;
  subject: string;
  action: string;
  resource: string;
  before: { decision: string; policies: string[] };
  after: { decision: string; policies: string[] };
}

/** Decisions that go from one effect to another, and why. */
export interface Flip {
  from: string;
  to: string;
  count: number;
  /**
   * Policies that turned these decisions, with how many each: deciding on one side only, or on
   * both but changed by the set.
   */
  policies: { id: string; count: number }[];
  examples: FlipExample[];
}

/** What a change would do to the recorded decisions. */
export interface ReplayImpact {
  replayed: number;
  /** Recorded inputs the engine could not take (records come from the bus: checked, not trusted). */
  invalid: number;
  changed: number;
  flips: Flip[];
  top_subjects: { id: string; count: number }[];
  top_resources: { id: string; count: number }[];
}

/** Examples kept per flip, and entries of each top list. */
export const EXAMPLES_PER_FLIP = 5;
export const TOP_ENTRIES = 10;

const resourceName = (input: RecordedDecisionInput): string =>
  input.resource.type === undefined ? input.resource.id : `${input.resource.type}/${input.resource.id}`;

const decidingIds = (result: DecisionResult): string[] => result.decidingPolicies.map((p) => p.id);

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function top(counts: Map<string, number>): { id: string; count: number }[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP_ENTRIES)
    .map(([id, count]) => ({ id, count }));
}

/**
 * Replays recorded decisions on the state before and after a change and tells what flips. Both
 * sides are evaluated (not the recorded answer): decisions made under older policies, or while a
 * device was restricted, would otherwise show as flips the change does not cause.
 */
export class ReplayAccumulator {
  private replayedCount = 0;
  private invalidCount = 0;
  private readonly flips = new Map<string, { flip: Flip; policies: Map<string, number> }>();
  private readonly subjects = new Map<string, number>();
  private readonly resources = new Map<string, number>();

  constructor(
    private readonly before: ReplaySide,
    private readonly after: ReplaySide,
    /** Ids of the policies the change set writes or deletes. */
    private readonly changedPolicies: ReadonlySet<string>,
  ) {}

  add(record: ReplayRecord): void {
    const at = new Date(record.at);
    let was: DecisionResult;
    let is: DecisionResult;
    try {
      if (Number.isNaN(at.getTime())) throw new Error('no time');
      // The stored state is the one the recorded input was joined with: it is taken as recorded.
      was = this.before.evaluate(record.input, at);
      is = this.after.evaluate(rejoined(record.input, this.before, this.after), at);
    } catch {
      this.invalidCount += 1;
      return;
    }
    this.replayedCount += 1;
    if (was.decision === is.decision) return;
    const key = `${was.decision}\u0000${is.decision}`;
    let entry = this.flips.get(key);
    if (!entry) {
      entry = {
        flip: { from: was.decision, to: is.decision, count: 0, policies: [], examples: [] },
        policies: new Map(),
      };
      this.flips.set(key, entry);
    }
    entry.flip.count += 1;
    const wasIds = decidingIds(was);
    const isIds = decidingIds(is);
    for (const id of new Set([...wasIds, ...isIds])) {
      if (!wasIds.includes(id) || !isIds.includes(id) || this.changedPolicies.has(id)) {
        increment(entry.policies, id);
      }
    }
    if (entry.flip.examples.length < EXAMPLES_PER_FLIP) {
      entry.flip.examples.push({
        decision_id: record.decisionId,
        at: record.at,
        subject: record.input.subject.id,
        action: record.input.action,
        resource: resourceName(record.input),
        before: { decision: was.decision, policies: wasIds },
        after: { decision: is.decision, policies: isIds },
      });
    }
    increment(this.subjects, record.input.subject.id);
    increment(this.resources, resourceName(record.input));
  }

  result(): ReplayImpact {
    const flips = [...this.flips.values()]
      .map(({ flip, policies }) => ({ ...flip, policies: top(policies) }))
      .sort((a, b) => b.count - a.count || (a.from + a.to < b.from + b.to ? -1 : 1));
    return {
      replayed: this.replayedCount,
      invalid: this.invalidCount,
      changed: flips.reduce((sum, f) => sum + f.count, 0),
      flips,
      top_subjects: top(this.subjects),
      top_resources: top(this.resources),
    };
  }
}
