import 'reflect-metadata';
import { runMain, startDistributed } from '@zt/runtime';
import { policyAdminService } from './index';

runMain(() => startDistributed(policyAdminService));
