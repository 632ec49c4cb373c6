import type { Principal } from '@zt/auth';
import { ProblemError } from '@zt/http';
import type { DecisionRequest } from '@zt/policy-engine';
import {
  DeviceRestriction,
  deviceRestriction,
  DeviceState,
  requestDeviceId,
  unknownDeviceRestriction,
  withDeviceFacts,
} from '../device-state/device-facts';
import type { DeviceStateStore } from '../device-state/device-state.store';
import type { PolicyState } from '../policy-state/policy-state';
import {
  asksAboutItself,
  DecisionBody,
  withDirectoryFacts,
  withResourceFacts,
  withTokenFacts,
} from './trust-model';

/** A request as the engine decides it, with the device facts that joined it. */
export interface DecisionInputs {
  request: DecisionRequest;
  device: DeviceState | undefined;
  /** The device is named but this replica has not finished reading device state: fail closed. */
  unknownDevice: boolean;
  /** What device intelligence imposes on top of the policies' result, if anything. */
  restriction: DeviceRestriction | undefined;
}

/**
 * The one path from a caller's request to the engine's input, for evaluations and for search
 * candidates alike: the token's facts, the principal and resource directories, then the device's
 * stored posture and risk verdict (trust-model.ts says which source wins for which fact).
 */
export function decisionInputsOf(
  body: DecisionBody,
  principal: Principal,
  state: Pick<PolicyState, 'directory' | 'resources'>,
  devices: Pick<DeviceStateStore, 'get' | 'loaded'>,
  restrictionEffect: DeviceRestriction['effect'],
  now: number = Date.now(),
): DecisionInputs {
  const itself = asksAboutItself(body, principal);
  const withSubject = withResourceFacts(
    withDirectoryFacts(withTokenFacts(body, principal), state.directory),
    state.resources,
  );
  const deviceId = requestDeviceId(withSubject);
  const device = deviceId === undefined ? undefined : devices.get(deviceId, now);
  // Until every device is known, one this replica has not heard of may be a restricted one.
  const unknownDevice = deviceId !== undefined && !devices.loaded;
  const request = withDeviceFacts(withSubject, device, {
    ...(itself && principal.devicePosture !== undefined ? { tokenPosture: principal.devicePosture } : {}),
    requestMayAdd: !itself,
  });
  return {
    request,
    device,
    unknownDevice,
    restriction:
      unknownDevice && deviceId !== undefined
        ? unknownDeviceRestriction(deviceId, restrictionEffect)
        : deviceRestriction(device, restrictionEffect),
  };
}

/**
 * Read-your-writes: resolves once the replica reaches `minRevision`, waiting up to `waitMs`,
 * else refuses with 503 NOT_READY and Retry-After (a caller that saw revision r from the admin
 * API must not be answered from older policy).
 */
export async function awaitRevisionOrRefuse(
  state: Pick<PolicyState, 'revision' | 'waitForRevision'>,
  minRevision: number,
  waitMs: number,
): Promise<void> {
  if (state.revision >= minRevision) return;
  if (await state.waitForRevision(minRevision, waitMs)) return;
  throw new ProblemError(
    503,
    'NOT_READY',
    `This replica is at policy revision ${state.revision}; revision ${minRevision} was asked for.`,
    { headers: { 'retry-after': '1' }, revision: state.revision, min_revision: minRevision },
  );
}
