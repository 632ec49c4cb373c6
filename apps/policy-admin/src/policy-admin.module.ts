import { Module } from '@nestjs/common';
import { POLICY_SNAPSHOT_SOURCE } from '@zt/contracts';
import { PolicyAdminOutboxRelay } from './outbox/outbox.relay';
import { PoliciesController, PolicyActionsController } from './policies/policies.controller';
import { PoliciesRepository } from './policies/policies.repository';
import { PoliciesService } from './policies/policies.service';
import { RolloutTracker } from './rollout/rollout.tracker';
import { StatusController } from './rollout/status.controller';
import { PrincipalsController } from './principals/principals.controller';
import { PrincipalsService } from './principals/principals.service';

/** policy-admin: policies, their versions, and the outbox that relays every change to the bus. */
@Module({
  controllers: [PoliciesController, PolicyActionsController, PrincipalsController, StatusController],
  providers: [
    PoliciesRepository,
    PoliciesService,
    PrincipalsService,
    PolicyAdminOutboxRelay,
    RolloutTracker,
    { provide: POLICY_SNAPSHOT_SOURCE, useExisting: PoliciesService },
  ],
  exports: [POLICY_SNAPSHOT_SOURCE],
})
export class PolicyAdminModule {}
