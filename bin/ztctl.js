#!/usr/bin/env node
// The ztctl CLI. It runs the compiled TypeScript; on a fresh clone it builds first.
const { existsSync } = require('node:fs');
const { execSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'apps', 'ztctl', 'src', 'main.js');
if (!existsSync(entry)) {
  execSync('npm run build', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
require(entry);
