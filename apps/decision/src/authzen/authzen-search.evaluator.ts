import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import type { Effect, SubjectInput } from '@zt/policy-engine';
import { applyRestriction } from '../device-state/device-facts';
import { DeviceStateStore } from '../device-state/device-state.store';
import { awaitRevisionOrRefuse, decisionInputsOf } from '../decisions/decision-inputs';
import { DecisionBody, withDirectoryFacts, withTokenFacts } from '../decisions/trust-model';
import { PolicyState } from '../policy-state/policy-state';

/**
 * Decides the candidates of a search on the path an evaluation takes (DecisionsService
 * .decideRequest): the trust model's token and directory facts, the resource directory, the
 * device's stored facts and risk restriction, then the engine; only the per-call parts differ.
 * Each candidate is neither rate-counted (the search is charged as a whole), nor cached (a scan
 * would flush the decision cache), nor written to the decision log (see docs/api.md, "Search").
 */
@Injectable()
export class SearchEvaluator {
  constructor(
    private readonly state: PolicyState,
    private readonly devices: DeviceStateStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The subject of a request as its evaluation sees it: with the token's and the directory's facts. */
  subjectOf(body: DecisionBody, principal: Principal): SubjectInput {
    return withDirectoryFacts(withTokenFacts(body, principal), this.state.directory).subject;
  }

  /** The decision on one candidate request. */
  decide(body: DecisionBody, principal: Principal, now: Date): Effect {
    const { request, restriction } = decisionInputsOf(
      body,
      principal,
      this.state,
      this.devices,
      this.config.DEVICE_RISK_RESTRICTION,
      now.getTime(),
    );
    return applyRestriction(this.state.policies.evaluate(request), restriction).decision;
  }

  /** Read-your-writes, as for evaluations: waits up to MIN_REVISION_WAIT_MS, else 503 with Retry-After. */
  async awaitRevision(minRevision: number | undefined): Promise<void> {
    if (minRevision === undefined) return;
    await awaitRevisionOrRefuse(this.state, minRevision, this.config.MIN_REVISION_WAIT_MS);
  }
}
