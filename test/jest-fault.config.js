// Fault suite: every service as its own process on Kafka, Redis and PostgreSQL that the suite
// starts for itself on free ports, under load; each case takes one part away and brings it back.
const { swcTransform, moduleNameMapper, transformIgnorePatterns } = require('./jest-shared');
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.resolve(__dirname, '..'),
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/fault/**/*.fault.spec.ts'],
  transform: swcTransform,
  transformIgnorePatterns,
  moduleNameMapper,
  // One case: a steady stretch, a fault of 20-30 s, a recovery bounded at 120 s, and the accounting.
  testTimeout: 400000,
};
