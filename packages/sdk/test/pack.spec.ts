import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

// The package as a user installs it: `npm pack` (which builds both formats), unpacked beside the
// dependencies, then loaded through its exports from CommonJS and from an ES module.
const run = promisify(execFile);
const SDK = resolve(__dirname, '..');
const ROOT = resolve(SDK, '../..');
const ENTRIES = ['', '/grpc', '/express', '/fastify', '/nest'];

describe('the packed @zt-policy/sdk', () => {
  let dir: string;
  let files: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zt-sdk-pack-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: SDK });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    files = packed.files.map((f) => f.path);
    const app = join(dir, 'app');
    const installed = join(app, 'node_modules/@zt-policy/sdk');
    await run('mkdir', ['-p', installed]);
    await run('tar', ['-xzf', join(dir, packed.filename), '-C', installed, '--strip-components=1']);
    // The dependencies come from the repository's node_modules, found by walking up from app/.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(app, 'package.json'), '{"private":true}');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the builds, the .proto and the README, and nothing of the sources or tests', () => {
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'proto/zt/decision/v1/decision.proto']),
    );
    expect(files).toEqual(
      expect.arrayContaining(['dist/esm/index.js', 'dist/cjs/index.js', 'dist/cjs/index.d.ts']),
    );
    expect(
      files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.spec.js')),
    ).toEqual([]);
  });

  it('imports nothing of the services (apps/, libs/, @zt/ aliases)', () => {
    const installed = join(dir, 'app/node_modules/@zt-policy/sdk');
    const offending = files
      .filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))
      .filter((f) =>
        /(from|require\()\s*['"](@zt\/|(\.\.\/)+(apps|libs)\/)/.test(
          readFileSync(join(installed, f), 'utf8'),
        ),
      );
    expect(offending).toEqual([]);
  });

  it.each(ENTRIES)('loads @zt-policy/sdk%s from CommonJS and from an ES module', async (entry) => {
    const app = join(dir, 'app');
    const name = `@zt-policy/sdk${entry}`;
    const cjs = await run(
      process.execPath,
      ['-e', `console.log(Object.keys(require('${name}')).sort().join())`],
      {
        cwd: app,
      },
    );
    const esm = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import('${name}'); console.log(Object.keys(m).sort().join())`,
      ],
      { cwd: app },
    );
    expect(esm.stdout).toBe(cjs.stdout);
    expect(cjs.stdout.trim()).not.toBe('');
  });

  it('finds its .proto from the ES module build', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { packagedProtoDir } from '@zt-policy/sdk/grpc'; console.log(packagedProtoDir())",
      ],
      { cwd: join(dir, 'app') },
    );
    expect(readdirSync(join(stdout.trim(), 'zt/decision/v1'))).toEqual(['decision.proto']);
  });
});
