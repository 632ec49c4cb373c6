// One place for the jest settings shared by the unit/e2e and the integration configurations.
const { compilerOptions } = require('../tsconfig.json');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

// Maps the tsconfig path aliases (@zt/...) so jest resolves them the way tsc does.
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace('/', '\\/')}$`,
    path.join(root, target),
  ]),
);

// swc compiles TypeScript with Nest's decorator metadata; ESM-only dependencies (jose) are
// transformed to CommonJS because jest's module system does not load ESM through require().
const swcTransform = {
  '^.+\\.(t|j)s$': [
    '@swc/jest',
    {
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
      module: { type: 'commonjs' },
    },
  ],
};

const transformIgnorePatterns = ['/node_modules/(?!(jose)/)'];

module.exports = { moduleNameMapper, swcTransform, transformIgnorePatterns };
