import 'reflect-metadata';
import { runMain, startDistributed } from '@zt/runtime';
import { auditService } from './index';

runMain(() => startDistributed(auditService));
