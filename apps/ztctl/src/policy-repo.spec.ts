import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { run } from './cli';

const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'policy-repo');

/** Runs ztctl as its main does; returns the exit code and what it wrote. */
async function ztctl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  // No profile file of the machine's user: the default one is looked for under XDG_CONFIG_HOME.
  const env = { XDG_CONFIG_HOME: join(tmpdir(), 'ztctl-no-config') };
  const code = await run(argv, env, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('ztctl policy on the example repository (offline)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztctl-repo-'));
    cpSync(EXAMPLE, dir, { recursive: true });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('validates the example repository', async () => {
    const result = await ztctl('policy', 'validate', EXAMPLE);
    expect(result).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^valid: 5 policies, 4 principals, 1 resources, 2 routes, 3 test files/),
    });
    const json = await ztctl('policy', 'validate', EXAMPLE, '--output', 'json');
    expect(JSON.parse(json.out)).toMatchObject({ valid: true, issues: [], counts: { policies: 5 } });
  });

  it('checks the route table as the decision service does, and writes it as ROUTES_FILE JSON', async () => {
    const out = join(dir, '..', `${dir.split('/').pop()}-routes.json`);
    expect(await ztctl('policy', 'routes', dir, '--out', out)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/wrote 2 routes from routes.yaml/),
    });
    const written = JSON.parse(readFileSync(out, 'utf8')) as { version: number; routes: unknown[] };
    expect(written).toEqual(parse(readFileSync(join(dir, 'routes.yaml'), 'utf8')));
    rmSync(out);
    // A template variable the path does not define is refused, with the file, line and pointer.
    writeFileSync(
      join(dir, 'routes.yaml'),
      readFileSync(join(dir, 'routes.yaml'), 'utf8').replace('gitlab.repo.{project}"', 'gitlab.repo.{repo}"'),
    );
    const refused = await ztctl('policy', 'validate', dir);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/routes\.yaml:\d+ \/routes\/0\/resource\/id: uses \{repo\}/);
    // Two route tables are one too many.
    writeFileSync(join(dir, 'routes.json'), '{"version":1,"routes":[]}');
    expect((await ztctl('policy', 'validate', dir)).out).toMatch(/a repository has one route table/);
  });

  it('passes every test of the example, with full policy coverage, and writes JUnit XML', async () => {
    const junit = join(dir, 'junit.xml');
    const result = await ztctl('policy', 'test', EXAMPLE, '--junit', junit);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/12 passed, 0 failed, 12 cases/);
    expect(result.out).toMatch(/coverage: 5\/5 policies reached/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="ztctl policy test" tests="12" failures="0">/);
    expect(xml).toMatch(/<testcase classname="tests\/finance.yaml" name="from Brazil the location fails"/);
  });

  it('names a failing case, its line and the mismatch, and exits 1', async () => {
    const file = join(dir, 'tests', 'contractors.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('decision: allow', 'decision: isolate'));
    const result = await ztctl('policy', 'test', dir, '--junit', join(dir, 'junit.xml'));
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/FAIL tests\/contractors.yaml:3 a contractor reads an ordinary bucket/);
    expect(result.out).toMatch(/decision: expected isolate, got allow/);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(
      /<failure message="decision: expected isolate/,
    );
    const json = JSON.parse((await ztctl('policy', 'test', dir, '-o', 'json')).out);
    expect(json).toMatchObject({ passed: 11, failed: 1 });
  });

  it('reports policies and conditions no test exercised', async () => {
    rmSync(join(dir, 'tests', 'finance.yaml'));
    const result = await ztctl('policy', 'test', dir);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/coverage: 4\/5 policies reached/);
    expect(result.out).toMatch(/policy 3f0c2b1a-8d4e-4f6a-9b7c-2e1d0a9f8b71: no test reaches it/);
    expect(result.out).toMatch(/policy pol_prod_ssh condition 0 \(attribute\): no test sees it failing/);
  });

  it('refuses what the server would refuse, with file, line and pointer', async () => {
    writeFileSync(
      join(dir, 'policies', 'bad.yaml'),
      'id: pol_bad\nname: Bad\nsubjects: [group:x]\nresources: [a.*]\nactions: [read]\neffect: maybe\n',
    );
    writeFileSync(join(dir, 'principals', 'dup.yaml'), 'id: bob@company.com\ntype: robot\n');
    writeFileSync(
      join(dir, 'policies', 'noid.yaml'),
      'name: No id\nsubjects: ["*"]\nresources: [a]\nactions: [read]\neffect: allow\n',
    );
    writeFileSync(
      join(dir, 'tests', 'broken.yaml'),
      'cases:\n  - name: x\n    request: { action: read, resource: { id: a } }\n    expect: { decision: allow }\n',
    );
    const result = await ztctl('policy', 'validate', dir);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/policies\/bad.yaml:6 \/effect: /);
    expect(result.out).toMatch(/policies\/noid.yaml:\d+ \/id: /);
    expect(result.out).toMatch(/principals\/dup.yaml:2 \/type: /);
    expect(result.out).toMatch(/tests\/broken.yaml:3 \/cases\/0\/request\/subject: must be set/);
    expect((await ztctl('policy', 'test', dir)).code).toBe(1);
  });

  it('formats files canonically; --check fails until they are', async () => {
    expect(await ztctl('policy', 'fmt', EXAMPLE, '--check')).toMatchObject({ code: 0 });
    const file = join(dir, 'policies', 'prod-ssh.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('actions:\n  - connect', 'actions:\n    -    connect'),
    );
    expect(await ztctl('policy', 'fmt', dir, '--check')).toMatchObject({
      code: 1,
      out: expect.stringMatching(/not formatted: policies\/prod-ssh.yaml/),
    });
    expect(await ztctl('policy', 'fmt', dir)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/formatted: policies\/prod-ssh.yaml/),
    });
    expect(await ztctl('policy', 'fmt', dir, '--check')).toMatchObject({ code: 0 });
    expect(readFileSync(file, 'utf8')).toMatch(/# On-call engineers/);
  });

  it('has --help on every command, and usage mistakes exit 2', async () => {
    for (const argv of [
      [],
      ['policy'],
      ['policy', 'plan'],
      ['policy', 'test', EXAMPLE, '--output', 'xml'],
      ['nope'],
    ]) {
      expect((await ztctl(...argv)).code).toBe(2);
    }
    for (const command of ['validate', 'test', 'fmt', 'export', 'plan', 'apply']) {
      const help = await ztctl('policy', command, '--help');
      expect(help).toMatchObject({ code: 0, out: expect.stringMatching(/Usage: ztctl policy/) });
    }
    expect(await ztctl('token', '--help')).toMatchObject({ code: 0, out: expect.stringMatching(/--sub/) });
    const help = await ztctl('--help');
    expect(help).toMatchObject({ code: 0, out: expect.stringMatching(/3 plan has changes/) });
    for (const command of ['plan', 'diff']) {
      expect(await ztctl('policy', command, EXAMPLE)).toMatchObject({
        code: 2,
        err: expect.stringMatching(/no server/),
      });
    }
  });

  it('runs the offline steps of the example CI workflow as written there', async () => {
    const workflow = parse(readFileSync(join(EXAMPLE, '.github', 'workflows', 'policy.yml'), 'utf8')) as {
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    const lines = Object.values(workflow.jobs)
      .flatMap((job) => job.steps.flatMap((step) => (step.run ?? '').split('\n')))
      .map((line) => /node "\$ZTCTL" (policy (?:validate|fmt|test) .*)$/.exec(line.trim())?.[1])
      .filter((line): line is string => line !== undefined);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      // The workflow runs in the repository's root: `.` is the example, junit.xml goes to a temp folder.
      const argv = line
        .split(' ')
        .map((arg) => (arg === '.' ? EXAMPLE : arg === 'junit.xml' ? join(dir, arg) : arg));
      expect({ line, ...(await ztctl(...argv)) }).toMatchObject({ line, code: 0, err: '' });
    }
  });
});
