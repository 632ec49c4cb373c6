// Integration tests: distributed mode against the real Kafka, Redis and PostgreSQL.
const { swcTransform, moduleNameMapper, transformIgnorePatterns } = require('./jest-shared');
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.resolve(__dirname, '..'),
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/integration/**/*.int.spec.ts'],
  transform: swcTransform,
  transformIgnorePatterns,
  moduleNameMapper,
  testTimeout: 120000,
};
