import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { ProblemError } from '@zt/http';
import type { Effect, SubjectInput } from '@zt/policy-engine';
import {
  applyRestriction,
  deviceRestriction,
  requestDeviceId,
  unknownDeviceRestriction,
  withDeviceFacts,
} from '../device-state/device-facts';
import { DeviceStateStore } from '../device-state/device-state.store';
import {
  asksAboutItself,
  DecisionBody,
  withDirectoryFacts,
  withResourceFacts,
  withTokenFacts,
} from '../decisions/trust-model';
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
    const itself = asksAboutItself(body, principal);
    const withSubject = withResourceFacts(
      withDirectoryFacts(withTokenFacts(body, principal), this.state.directory),
      this.state.resources,
    );
    const deviceId = requestDeviceId(withSubject);
    const device = deviceId === undefined ? undefined : this.devices.get(deviceId, now.getTime());
    const unknownDevice = deviceId !== undefined && !this.devices.loaded;
    const request = withDeviceFacts(withSubject, device, {
      ...(itself && principal.devicePosture !== undefined ? { tokenPosture: principal.devicePosture } : {}),
      requestMayAdd: !itself,
    });
    return applyRestriction(
      this.state.policies.evaluate(request),
      unknownDevice
        ? unknownDeviceRestriction(deviceId, this.config.DEVICE_RISK_RESTRICTION)
        : deviceRestriction(device, this.config.DEVICE_RISK_RESTRICTION),
    ).decision;
  }

  /** Read-your-writes, as for evaluations: waits up to MIN_REVISION_WAIT_MS, else 503 with Retry-After. */
  async awaitRevision(minRevision: number | undefined): Promise<void> {
    if (minRevision === undefined || this.state.revision >= minRevision) return;
    if (await this.state.waitForRevision(minRevision, this.config.MIN_REVISION_WAIT_MS)) return;
    throw new ProblemError(
      503,
      'NOT_READY',
      `This replica is at policy revision ${this.state.revision}; revision ${minRevision} was asked for.`,
      { headers: { 'retry-after': '1' }, revision: this.state.revision, min_revision: minRevision },
    );
  }
}
