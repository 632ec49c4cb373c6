import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { AuthzenSearchController } from './authzen/authzen-search.controller';
import { SearchEvaluator } from './authzen/authzen-search.evaluator';
import { AuthzenSearchService } from './authzen/authzen-search.service';
import { AuthzenController } from './authzen/authzen.controller';
import { AuthzenService } from './authzen/authzen.service';
import { DecisionLogPublisher } from './decision-log/decision-log.publisher';
import { DeviceStateConsumer } from './device-state/device-state.consumer';
import { DeviceStateStore } from './device-state/device-state.store';
import { DecisionCache } from './decisions/decision-cache';
import { DecisionMetrics } from './decisions/decision-metrics';
import { RateLimiter } from './decisions/rate-limiter';
import { DecisionsController } from './decisions/decisions.controller';
import { DecisionsService } from './decisions/decisions.service';
import { DecisionGrpcServer } from './grpc/decision-grpc.server';
import { ForwardAuthController } from './forward-auth/forward-auth.controller';
import { ForwardAuthService } from './forward-auth/forward-auth.service';
import { EnforcementRefusals } from './http-check/enforcement-refusals';
import { loadRouteTable, RouteTable } from './http-check/route-table';
import { RoutesController } from './http-check/routes.controller';
import { HeartbeatPublisher } from './policy-state/heartbeat.publisher';
import { PolicyChangesConsumer } from './policy-state/policy-changes.consumer';
import { PolicySnapshotClient } from './policy-state/policy-snapshot.client';
import { PolicyState } from './policy-state/policy-state';
import { HistoricalSnapshots } from './time-travel/historical-snapshots';
import { HistoricalStates } from './time-travel/historical-states';
import { TimeTravelService } from './time-travel/time-travel.service';

/** decision: the policy decision point, fed by the policy stream. */
@Module({
  controllers: [
    DecisionsController,
    AuthzenController,
    AuthzenSearchController,
    RoutesController,
    ForwardAuthController,
  ],
  providers: [
    PolicyState,
    PolicyChangesConsumer,
    PolicySnapshotClient,
    DeviceStateStore,
    DeviceStateConsumer,
    DecisionsService,
    DecisionCache,
    DecisionMetrics,
    RateLimiter,
    DecisionLogPublisher,
    AuthzenService,
    AuthzenSearchService,
    SearchEvaluator,
    DecisionGrpcServer,
    ForwardAuthService,
    EnforcementRefusals,
    // The route table of HTTP checks (ext_authz, forward-auth); a bad ROUTES_FILE stops the boot here.
    {
      provide: RouteTable,
      useFactory: (config: AppConfig) => loadRouteTable(config.ROUTES_FILE),
      inject: [APP_CONFIG],
    },
    HeartbeatPublisher,
    HistoricalSnapshots,
    HistoricalStates,
    TimeTravelService,
  ],
})
export class DecisionModule {}
