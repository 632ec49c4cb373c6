import { Module } from '@nestjs/common';
import { HISTORICAL_SNAPSHOT_SOURCE, POLICY_SNAPSHOT_SOURCE } from '@zt/contracts';
import { AttributeSchemaController } from './attribute-schema/attribute-schema.controller';
import { AttributeSchemaRepository } from './attribute-schema/attribute-schema.repository';
import { AttributeSchemaService } from './attribute-schema/attribute-schema.service';
import { ChangeSetsController } from './changesets/changesets.controller';
import { ChangeSetsService } from './changesets/changesets.service';
import { ChangeSetSimulator } from './replay/changeset-simulator';
import { RecordedDecisionsClient } from './replay/recorded-decisions.client';
import { DirectoryListingRepository } from './directory/directory-listing.repository';
import { HistoryRepository } from './history/history.repository';
import { PolicyHistoryService } from './history/history.service';
import { PolicyAdminOutboxRelay } from './outbox/outbox.relay';
import { PoliciesController, PolicyActionsController } from './policies/policies.controller';
import { PoliciesRepository } from './policies/policies.repository';
import { PoliciesService } from './policies/policies.service';
import { RolloutTracker } from './rollout/rollout.tracker';
import { StatusController } from './rollout/status.controller';
import { PrincipalsController } from './principals/principals.controller';
import { PrincipalsService } from './principals/principals.service';
import { ResourcesController } from './resources/resources.controller';
import { ResourcesService } from './resources/resources.service';

/** policy-admin: policies, their versions, and the outbox that relays every change to the bus. */
@Module({
  controllers: [
    AttributeSchemaController,
    PoliciesController,
    PolicyActionsController,
    PrincipalsController,
    ResourcesController,
    ChangeSetsController,
    StatusController,
  ],
  providers: [
    AttributeSchemaRepository,
    AttributeSchemaService,
    PoliciesRepository,
    DirectoryListingRepository,
    PoliciesService,
    PrincipalsService,
    ResourcesService,
    ChangeSetsService,
    ChangeSetSimulator,
    RecordedDecisionsClient,
    PolicyAdminOutboxRelay,
    RolloutTracker,
    { provide: POLICY_SNAPSHOT_SOURCE, useExisting: PoliciesService },
    HistoryRepository,
    PolicyHistoryService,
    { provide: HISTORICAL_SNAPSHOT_SOURCE, useExisting: PolicyHistoryService },
  ],
  exports: [POLICY_SNAPSHOT_SOURCE, HISTORICAL_SNAPSHOT_SOURCE],
})
export class PolicyAdminModule {}
