import { Module } from '@nestjs/common';
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
import { HeartbeatPublisher } from './policy-state/heartbeat.publisher';
import { PolicyChangesConsumer } from './policy-state/policy-changes.consumer';
import { PolicySnapshotClient } from './policy-state/policy-snapshot.client';
import { PolicyState } from './policy-state/policy-state';

/** decision: the policy decision point, fed by the policy stream. */
@Module({
  controllers: [DecisionsController, AuthzenController],
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
    DecisionGrpcServer,
    HeartbeatPublisher,
  ],
})
export class DecisionModule {}
