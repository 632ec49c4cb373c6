import 'reflect-metadata';
import { runMain, startStandalone } from '@zt/runtime';
import { ALL_SERVICES } from './services';

runMain(() => startStandalone(ALL_SERVICES));
