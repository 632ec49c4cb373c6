import 'reflect-metadata';
import { runMain, startDistributed } from '@zt/runtime';
import { decisionService } from './index';

runMain(() => startDistributed(decisionService));
