import { Injectable } from '@nestjs/common';
import { principalContent } from '../principals/principals.service';
import { PoliciesService } from '../policies/policies.service';
import type { Change, ChangeSetInput } from '../changesets/changeset-input';
import { ChangeSetResult, ChangeSetsService } from '../changesets/changesets.service';
import { RecordedDecisionsClient, ReplayWindow } from './recorded-decisions.client';
import { ReplayAccumulator, ReplayImpact } from './replay-impact';
import { replaySides, StateEdit } from './replay-state';

/** What a simulated change set would do: its plan, and the recorded decisions it would flip. */
export interface SimulationResult extends ChangeSetResult {
  replay: ReplayImpact & {
    window: ReplayWindow;
    /** The policy set revision the change was simulated on. */
    revision: number;
    scanned: number;
    skipped: { no_input: number; redacted: number };
  };
}

/** A change as an edit of the replayed state. */
function editOf(change: Change): StateEdit {
  switch (change.kind) {
    case 'policy':
      return { kind: 'policy', id: change.id, policy: change.op === 'put' ? change.parsed.policy : null };
    case 'principal':
      return {
        kind: 'principal',
        id: change.id,
        principal: change.op === 'put' ? { id: change.id, ...principalContent(change.principal) } : null,
      };
    case 'resource':
      return {
        kind: 'resource',
        type: change.type,
        id: change.id,
        resource:
          change.op === 'put' ? { type: change.type, id: change.id, properties: change.properties } : null,
      };
  }
}

/**
 * Replays recorded decisions on the stored state and on the state with a change set applied, and
 * reports what flips, without writing anything. The set is planned exactly as `changesets:validate`
 * plans it (409 and 412 alike). Pages of recorded decisions are replayed as they arrive, so memory
 * holds one page, not the window.
 */
@Injectable()
export class ChangeSetSimulator {
  constructor(
    private readonly changesets: ChangeSetsService,
    private readonly policies: PoliciesService,
    private readonly recorded: RecordedDecisionsClient,
  ) {}

  async simulate(
    input: ChangeSetInput,
    window: ReplayWindow,
    authorization: string | undefined,
  ): Promise<SimulationResult> {
    const plan = await this.changesets.validate(input);
    const snapshot = await this.policies.snapshot();
    const { before, after } = replaySides(snapshot, input.changes.map(editOf));
    const changedPolicies = new Set(input.changes.filter((c) => c.kind === 'policy').map((c) => c.id));
    const impact = new ReplayAccumulator(before, after, changedPolicies);
    const skipped = { no_input: 0, redacted: 0 };
    let scanned = 0;
    for await (const page of this.recorded.pages(window, authorization)) {
      scanned += page.scanned;
      skipped.no_input += page.skipped.no_input;
      skipped.redacted += page.skipped.redacted;
      for (const record of page.items) impact.add(record);
    }
    return { ...plan, replay: { window, revision: snapshot.revision, scanned, skipped, ...impact.result() } };
  }
}
