import { call, eventually } from '../../support/http';
import { Deployment } from './deployment';

/** Policies the load flips between allow and deny, one resource each. */
export const POLICY_IDS = [
  'pol_fault_0',
  'pol_fault_1',
  'pol_fault_2',
  'pol_fault_3',
  'pol_fault_4',
  'pol_fault_5',
];
/** Principals the load moves in and out of GROUP. */
export const PRINCIPAL_IDS = ['p-fault-0@company.com', 'p-fault-1@company.com', 'p-fault-2@company.com'];
export const GROUP = 'fault-group';
export const GROUP_RESOURCE = 'fault.group.doc';
/** Restricted by device intelligence before any fault; must stay restricted through all of them. */
export const BAD_DEVICE = 'fault-laptop-bad';
export const HEALTHY_DEVICES = ['fault-laptop-0', 'fault-laptop-1', 'fault-laptop-2'];

export const resourceOf = (policyId: string) => `fault.res.${policyId}`;

/** The body of a flipping policy with the given effect. */
export function policyBody(id: string, effect: 'allow' | 'deny'): Record<string, unknown> {
  return { id, name: id, subjects: ['*'], resources: [resourceOf(id)], actions: ['read'], effect };
}

/** A healthy device's signals; the patch age varies from report to report. */
export function healthySignals(n: number): Record<string, unknown> {
  return {
    managed: true,
    disk_encrypted: true,
    edr_running: true,
    network_type: 'corporate',
    patch_age_days: 1 + (n % 7),
    failed_logins_24h: 0,
  };
}

const RISKY_SIGNALS = {
  managed: false,
  jailbroken: true,
  network_type: 'public',
  patch_age_days: 300,
  failed_logins_24h: 25,
};

async function expectStatus(what: string, r: Promise<{ status: number; body: unknown }>, status: number) {
  const answer = await r;
  if (answer.status !== status) {
    throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

/**
 * What the load needs before it starts: the flipping policies, the group policy and its principals,
 * a policy for devices, the risk model integrated, and the risky device restricted on both
 * replicas (checked by decisions, so the restriction is really in force before any fault).
 */
export async function seedWorkload(deployment: Deployment): Promise<void> {
  const { admin, agent, pep } = deployment.tokens();
  const adminUrl = deployment.services['policy-admin'].url;
  const di = deployment.services['device-intelligence'].url;
  await expectStatus(
    'integrate the risk model',
    call(di, 'POST', '/v1/zt-policy/device-intelligence/integrate', {
      token: admin,
      body: { model_url: deployment.model.url, threshold: 0.75 },
    }),
    200,
  );
  const policies = [
    {
      id: 'pol_fault_group',
      name: 'group',
      subjects: [`group:${GROUP}`],
      resources: [GROUP_RESOURCE],
      actions: ['read'],
      effect: 'allow',
    },
    {
      id: 'pol_fault_devices',
      name: 'gitlab for compliant devices',
      subjects: ['*'],
      resources: ['gitlab.*'],
      actions: ['read'],
      conditions: { device_posture: 'compliant', risk_score_max: 75 },
      effect: 'allow',
    },
  ];
  for (const body of policies) {
    await expectStatus(
      `create ${body.id}`,
      call(adminUrl, 'POST', '/v1/zt-policy/policies', { token: admin, body }),
      201,
    );
  }
  await expectStatus(
    'posture of the risky and healthy devices',
    call(di, 'POST', '/v1/zt-policy/device-intelligence/posture', {
      token: agent,
      body: [
        { device_id: BAD_DEVICE, signals: RISKY_SIGNALS },
        ...HEALTHY_DEVICES.map((device_id) => ({ device_id, signals: healthySignals(0) })),
      ],
    }),
    202,
  );
  for (const replica of ['decision-a', 'decision-b'] as const) {
    await eventually(
      async () => {
        const r = await call<{ decision: string; reasons: string[] }>(
          deployment.services[replica].url,
          'POST',
          '/v1/zt-policy/decisions',
          {
            token: pep,
            body: {
              subject: { id: 'alice@company.com' },
              action: 'read',
              resource: { id: 'gitlab.repo' },
              context: { device: { id: BAD_DEVICE } },
            },
          },
        );
        return r.body.decision === 'deny' &&
          r.body.reasons.some((reason) => reason.includes(`${BAD_DEVICE} risk`))
          ? true
          : undefined;
      },
      60_000,
      `${BAD_DEVICE} restricted on ${replica}`,
    );
  }
}
