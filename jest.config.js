// Unit specs beside the code and standalone end-to-end tests in test/e2e: no outside servers.
const { swcTransform, moduleNameMapper, transformIgnorePatterns } = require('./test/jest-shared');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: [
    '<rootDir>/apps/**/*.spec.ts',
    '<rootDir>/libs/**/*.spec.ts',
    '<rootDir>/examples/**/*.spec.ts',
    '<rootDir>/test/e2e/**/*.e2e.spec.ts',
  ],
  transform: swcTransform,
  transformIgnorePatterns,
  moduleNameMapper,
  testTimeout: 30000,
};
