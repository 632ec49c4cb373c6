import { Module } from '@nestjs/common';

/**
 * device-intelligence: will register the external ML risk model, take posture signals and
 * publish risk scores (issue 6). In the walking skeleton it runs as a process on the bus with
 * health and readiness only.
 */
@Module({})
export class DeviceIntelligenceModule {}
