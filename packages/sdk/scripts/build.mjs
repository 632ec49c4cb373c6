#!/usr/bin/env node
// Builds the two module formats the package exports: dist/esm (ES modules) and dist/cjs
// (CommonJS), each with its declarations, and marks each folder's format for Node.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SDK = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(join(SDK, 'package.json')).resolve('typescript/bin/tsc');

rmSync(join(SDK, 'dist'), { recursive: true, force: true });
for (const [config, folder, type] of [
  ['tsconfig.esm.json', 'esm', 'module'],
  ['tsconfig.cjs.json', 'cjs', 'commonjs'],
]) {
  execFileSync(process.execPath, [tsc, '-p', join(SDK, config)], { stdio: 'inherit' });
  mkdirSync(join(SDK, 'dist', folder), { recursive: true });
  writeFileSync(join(SDK, 'dist', folder, 'package.json'), `${JSON.stringify({ type })}\n`);
}
// An ES module has no __dirname (see src/module-dir.ts): its folder comes from import.meta.url.
writeFileSync(
  join(SDK, 'dist/esm/module-dir.js'),
  "import { dirname } from 'node:path';\nimport { fileURLToPath } from 'node:url';\n" +
    'export const MODULE_DIR = dirname(fileURLToPath(import.meta.url));\n',
);
