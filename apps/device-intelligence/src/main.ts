import 'reflect-metadata';
import { runMain, startDistributed } from '@zt/runtime';
import { deviceIntelligenceService } from './index';

runMain(() => startDistributed(deviceIntelligenceService));
