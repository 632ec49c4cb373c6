import { execFile } from 'node:child_process';
import { get as httpGet } from 'node:http';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { undefinedMembersOfDocument } from '@zt/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

// A client generated from the live /openapi.json, as a user of the API would make one:
// openapi-typescript writes the types, test/openapi-client/ is a program that calls every
// operation with openapi-fetch and reads typed fields of the answers, tsc (strict) checks it.
// Every child process is asynchronous: the product answers from this very process.
const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const PROGRAM = join(ROOT, 'test/openapi-client');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const OPENAPI_TYPESCRIPT = join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');
// openapi-typescript writes these two for any document: it has no webhooks and no $defs.
const ALWAYS_EMPTY = new Set([
  'export type webhooks = Record<string, never>;',
  'export type $defs = Record<string, never>;',
]);

type Media = { schema?: Record<string, unknown> };
type Operation = {
  operationId: string;
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
};
type OpenApi = {
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
};

/** The OpenAPI document as served to a request naming `host` in its Host header. */
function documentFor(url: string, host: string): Promise<OpenApi> {
  return new Promise((done, fail) => {
    const request = httpGet(`${url}/openapi.json`, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done(JSON.parse(body) as OpenApi));
    });
    request.on('error', fail);
  });
}

/** The compiler options the client is checked with: the project's strictness, nothing skipped. */
const CLIENT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2023',
    lib: ['ES2023'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noImplicitReturns: true,
    skipLibCheck: false,
    outDir: 'out',
    rootDir: '.',
  },
  include: ['*.ts'],
};

describe('a client generated from the live OpenAPI document', () => {
  let product: StandaloneUnderTest;
  let doc: OpenApi;
  let dir: string;
  let generated: string;
  let compiled: { stdout: string; stderr: string } | Error;
  let servedToOtherHost: unknown;

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
    );

  beforeAll(async () => {
    product = await startStandaloneForTest();
    // First asked for under another Host (fetch will not send one; a plain request does).
    servedToOtherHost = (await documentFor(product.url, 'evil.example')).servers;
    doc = (await (await fetch(`${product.url}/openapi.json`)).json()) as OpenApi;
    dir = mkdtempSync(join(tmpdir(), 'zt-openapi-client-'));
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
    await run(process.execPath, [
      OPENAPI_TYPESCRIPT,
      join(dir, 'openapi.json'),
      '-o',
      join(dir, 'schema.d.ts'),
    ]);
    generated = readFileSync(join(dir, 'schema.d.ts'), 'utf8');
    // The program beside its types, as an ES module resolving openapi-fetch from the project.
    for (const file of readdirSync(PROGRAM).filter((f) => f.endsWith('.ts'))) {
      copyFileSync(join(PROGRAM, file), join(dir, file));
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(CLIENT_TSCONFIG));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    compiled = await run(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { cwd: dir }).catch(
      (error: Error) => error,
    );
  }, 180_000);

  afterAll(async () => {
    await product?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('defines every member a schema requires', () => {
    expect(undefinedMembersOfDocument(doc)).toEqual([]);
  });

  it('gives every JSON success answer a schema', () => {
    const bare = operations().flatMap(({ key, op }) =>
      Object.entries(op.responses)
        .filter(([status, r]) => status.startsWith('2') && status !== '204' && !r.content)
        .map(([status]) => `${key} ${status}`),
    );
    expect(bare).toEqual([]);
  });

  it('documents the refusals of every operation as problem+json', () => {
    const missing = operations().flatMap(({ key, op }) => {
      const problems = Object.entries(op.responses).filter(
        ([status, r]) => /^4/.test(status) && r.content?.['application/problem+json'],
      );
      const statuses = problems.map(([s]) => s);
      const lacks = [
        ...(statuses.includes('4XX') ? [] : ['4XX']),
        ...(op.requestBody && !statuses.includes('400') ? ['400'] : []),
        ...(op.requestBody && !statuses.includes('413') ? ['413'] : []),
        ...(key.includes('{') && !statuses.includes('404') ? ['404'] : []),
      ];
      return lacks.length ? [`${key}: ${lacks.join(', ')}`] : [];
    });
    expect(missing).toEqual([]);
  });

  it('names the listening address in servers, not a Host header', () => {
    expect(doc.servers).toEqual([{ url: product.url, description: 'This deployment' }]);
    expect(servedToOtherHost).toEqual(doc.servers);
  });

  it('generates types a client can read: no schema became Record<string, never>', () => {
    const empty = generated
      .split('\n')
      .map((line, i) => ({ line: line.trim(), at: i + 1 }))
      .filter(({ line }) => line.includes('Record<string, never>') && !ALWAYS_EMPTY.has(line));
    expect(empty).toEqual([]);
    expect(generated).toContain('reason_admin');
    expect(generated).toContain('candidates');
  });

  it('compiles a program that calls every operation (strict tsc)', () => {
    // A tsc failure names the operations a new API route needs in test/openapi-client.
    if (compiled instanceof Error) {
      const { stdout } = compiled as Error & { stdout?: string };
      throw new Error(`tsc failed on the client:\n${stdout ?? compiled.message}`);
    }
    expect(compiled.stdout).toBe('');
  });

  it('calls every operation of the document, and only those', async () => {
    const { stdout } = await run(process.execPath, [join(dir, 'out/main.js'), 'list']);
    const called = JSON.parse(stdout) as string[];
    expect([...called].sort()).toEqual(
      operations()
        .map(({ key }) => key)
        .sort(),
    );
  });

  it('works against the live product, at the address servers names', async () => {
    const token = await product.issuer.mint({
      sub: 'client@company.com',
      roles: ['infra_admin', 'policy_admin', 'auditor', 'pdp', 'device_agent', 'pep'],
      mfa: true,
    });
    const base = doc.servers?.[0]?.url ?? '';
    const { stdout } = await run(process.execPath, [join(dir, 'out/main.js'), 'run', base], {
      env: { ...process.env, ZT_TOKEN: token },
    });
    const outcomes = JSON.parse(stdout) as Record<string, { status: number; read?: Record<string, unknown> }>;
    const failed = Object.entries(outcomes)
      .filter(([, o]) => o.status === 0 || o.status >= 500)
      .map(([key, o]) => `${key}: ${o.status} ${JSON.stringify(o.read)}`);
    expect(failed).toEqual([]);
    // Refused on purpose: deletes of what was never made, forward-auth from an untrusted peer;
    // a device's posture is applied after its 202, so reading it back may come too early.
    const refusals: Record<string, number[]> = {
      'DELETE /v1/zt-policy/principals/{id}': [404],
      'DELETE /v1/zt-policy/resources/{type}/{id}': [404],
      // Asked before any schema is stored: 404 is the documented answer then.
      'GET /v1/zt-policy/attribute-schema': [200, 404],
      'DELETE /v1/zt-policy/device-intelligence/integrate': [404],
      'GET /v1/zt-policy/forward-auth': [403],
      'POST /v1/zt-policy/forward-auth': [403],
      'GET /v1/zt-policy/device-intelligence/devices/{id}': [200, 404],
      'POST /v1/zt-policy/device-intelligence/devices/{id}/score': [200, 404],
    };
    const unexpected = Object.entries(outcomes)
      .filter(([key, o]) => !(refusals[key] ? refusals[key].includes(o.status) : o.status < 300))
      .map(([key, o]) => `${key}: ${o.status} ${JSON.stringify(o.read)}`);
    expect(unexpected).toEqual([]);
    expect(outcomes['POST /v1/zt-policy/policies'].status).toBe(201);
    expect(outcomes['POST /v1/zt-policy/decisions'].read).toMatchObject({
      decision: 'allow',
      candidates: [true],
    });
    expect(outcomes['POST /access/v1/evaluation']).toMatchObject({
      status: 200,
      read: { decision: true, reason_admin: expect.any(String) },
    });
    expect(outcomes['POST /access/v1/evaluations'].read).toEqual({ decisions: [true, false] });
    expect(outcomes['PUT /v1/zt-policy/principals/{id}'].read).toEqual({
      groups: ['engineering'],
      department: 'r&d',
    });
    expect(outcomes['GET /.well-known/authzen-configuration'].read).toEqual({ policy_decision_point: base });
  }, 120_000);
});
