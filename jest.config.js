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
    '<rootDir>/packages/*/src/**/*.spec.ts',
    '<rootDir>/packages/*/test/**/*.spec.ts',
    '<rootDir>/test/e2e/**/*.e2e.spec.ts',
  ],
  transform: swcTransform,
  transformIgnorePatterns,
  // packages/ are published as ES modules too, so their relative imports name the emitted `.js` file.
  moduleNameMapper: { ...moduleNameMapper, '^(\\.{1,2}/.*)\\.js$': '$1' },
  modulePathIgnorePatterns: ['<rootDir>/packages/[^/]+/dist/'],
  testTimeout: 30000,
};
