import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, request as httpRequest, Server } from 'node:http';
import { AddressInfo, createConnection, createServer as createNetServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

/**
 * Forward-auth behind Debian's real nginx (auth_request) and Caddy (forward_auth), installed by
 * scripts/infra-up.sh: each runs as the test user on a free port with its own directory, with the
 * configuration of test/integration/gateways/ (the one docs/forward-auth.md shows), in front of a
 * small upstream that records what reaches it. The decision service is the standalone product.
 */

const GATEWAYS_DIR = join(__dirname, 'gateways');
const HOST = 'api.example.com';

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function untilListening(port: number, process: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (process.exitCode !== null) throw new Error(`gateway exited (${process.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`gateway did not listen on ${port}: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A request sent exactly as written: node:http leaves the path as it is (fetch would resolve
 * `..` and `%2e%2e` before sending, and the gateway would never see them).
 */
function send(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method, headers: { host: HOST, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface Gateway {
  name: string;
  port: number;
  stop(): Promise<void>;
}

function render(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? '');
}

async function startGateway(name: 'nginx' | 'caddy', decision: string, upstream: string): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), `zt-${name}-`));
  const port = await freePort();
  const values = { DIR: dir, PORT: String(port), DECISION: decision, UPSTREAM: upstream };
  let child: ChildProcess;
  let output = '';
  if (name === 'nginx') {
    for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
    // Under root nginx hands the workers to `nobody`, who cannot use this directory: keep them ours.
    const user = userInfo().uid === 0 ? 'user root;' : '';
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      render(readFileSync(join(GATEWAYS_DIR, 'nginx.conf'), 'utf8'), { ...values, USER: user }),
    );
    child = spawn('nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { stdio: 'pipe' });
  } else {
    const conf = join(dir, 'Caddyfile');
    writeFileSync(conf, render(readFileSync(join(GATEWAYS_DIR, 'Caddyfile'), 'utf8'), values));
    child = spawn('caddy', ['run', '--config', conf, '--adapter', 'caddyfile'], {
      stdio: 'pipe',
      env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    });
  }
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const log = () => {
    let errors = '';
    try {
      errors = readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      // Caddy logs to stderr only.
    }
    return `${output}\n${errors}`.slice(-4000);
  };
  await untilListening(port, child, log);
  return {
    name,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('forward-auth behind real gateways', () => {
  let product: StandaloneUnderTest;
  let upstream: Server;
  let upstreamAddress: string;
  const seen: Seen[] = [];
  const tokens: Record<'alice' | 'aliceMfa' | 'admin', string> = { alice: '', aliceMfa: '', admin: '' };

  beforeAll(async () => {
    for (const command of ['nginx', 'caddy']) {
      // infra-up.sh installs both; a machine without them cannot run this test.
      if (!installed(command)) throw new Error(`${command} is not installed: run scripts/infra-up.sh`);
    }
    product = await startStandaloneForTest();
    upstream = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('upstream');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamAddress = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const policyAdmin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    const policies = [
      {
        id: 'pol_public',
        subjects: ['*'],
        resources: [`${HOST}/public/*`],
        actions: ['GET'],
        effect: 'allow',
      },
      {
        id: 'pol_admin',
        subjects: ['role:admin'],
        resources: [`${HOST}/admin/*`],
        actions: ['GET'],
        effect: 'allow',
      },
      {
        id: 'pol_deploy',
        subjects: ['*'],
        resources: [`${HOST}/deploy`],
        actions: ['POST'],
        effect: 'require_mfa',
      },
      {
        id: 'pol_downloads',
        subjects: ['*'],
        resources: [`${HOST}/downloads/*`],
        actions: ['GET'],
        effect: 'isolate',
      },
    ];
    let revision = '0';
    for (const p of policies) {
      const created = await call(product.url, 'POST', '/v1/zt-policy/policies', {
        token: policyAdmin,
        body: { name: p.id, ...p },
      });
      expect(created.status).toBe(201);
      revision = created.headers.get('zt-policy-revision') ?? revision;
    }
    tokens.alice = await product.issuer.mint({ sub: 'alice@company.com', roles: ['dev'] });
    tokens.aliceMfa = await product.issuer.mint({ sub: 'alice@company.com', roles: ['dev'], mfa: true });
    tokens.admin = await product.issuer.mint({ sub: 'root@company.com', roles: ['admin'] });
    // Read-your-writes: the decision point has every policy before the first check.
    const ready = await call(product.url, 'POST', '/v1/zt-policy/decisions', {
      token: tokens.alice,
      headers: { 'zt-min-revision': revision },
      body: { action: 'GET', resource: { type: 'http', id: `${HOST}/public/x` } },
    });
    expect(ready.body.decision).toBe('allow');
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => upstream?.close(resolve));
    await product?.stop();
  });

  describe.each(['nginx', 'caddy'] as const)('%s', (name) => {
    let gateway: Gateway;
    const bearer = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}` });

    /** What the upstream received for the requests sent by `work`. */
    async function reaching(work: () => Promise<Answer>): Promise<{ answer: Answer; upstream: Seen[] }> {
      const before = seen.length;
      const answer = await work();
      return { answer, upstream: seen.slice(before) };
    }

    beforeAll(async () => {
      const decision = new URL(product.url).host;
      gateway = await startGateway(name, decision, upstreamAddress);
    }, 60_000);

    afterAll(async () => {
      await gateway?.stop();
    });

    it('lets an allowed request through with the identity the decision vouches for, replacing forged ones', async () => {
      const { answer, upstream } = await reaching(() =>
        send(gateway.port, '/public/page?q=1', {
          ...bearer('alice'),
          'x-zt-subject': 'mallory@company.com',
          'x-zt-isolate': 'true',
        }),
      );
      expect(answer.status).toBe(200);
      expect(upstream).toHaveLength(1);
      expect(upstream[0].url).toBe('/public/page?q=1');
      expect(upstream[0].headers['x-zt-subject']).toBe('alice@company.com');
      expect(upstream[0].headers['x-zt-roles']).toBe('dev');
      expect(upstream[0].headers['x-zt-decision-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(upstream[0].headers['x-zt-isolate']).toBe('false');
    });

    it('answers 403 for a denied request, which never reaches the upstream', async () => {
      const { answer, upstream } = await reaching(() => send(gateway.port, '/admin/users', bearer('alice')));
      expect(answer.status).toBe(403);
      expect(upstream).toHaveLength(0);
    });

    it('answers 401 with the step-up challenge for require_mfa, and lets the request through after MFA', async () => {
      const step = await reaching(() => send(gateway.port, '/deploy', bearer('alice'), 'POST'));
      expect(step.answer.status).toBe(401);
      expect(step.answer.headers['www-authenticate']).toContain('error="insufficient_user_authentication"');
      expect(step.upstream).toHaveLength(0);
      const after = await reaching(() => send(gateway.port, '/deploy', bearer('aliceMfa'), 'POST'));
      expect(after.answer.status).toBe(200);
      expect(after.upstream).toHaveLength(1);
    });

    it('answers 401 with a Bearer challenge without a token, and invalid_token for a bad one', async () => {
      const none = await reaching(() => send(gateway.port, '/public/page'));
      expect(none.answer.status).toBe(401);
      expect(none.answer.headers['www-authenticate']).toBe('Bearer');
      expect(none.upstream).toHaveLength(0);
      const bad = await send(gateway.port, '/public/page', { authorization: 'Bearer not.a.token' });
      expect(bad.status).toBe(401);
      expect(bad.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('lets isolate through with X-Zt-Isolate: true for the upstream', async () => {
      const { answer, upstream } = await reaching(() =>
        send(gateway.port, '/downloads/tool.zip', bearer('alice')),
      );
      expect(answer.status).toBe(200);
      expect(upstream[0].headers['x-zt-isolate']).toBe('true');
    });

    it.each([
      '/public/../admin/users',
      '/public/%2e%2e/admin/users',
      '/public/%2E%2e/admin/users',
      '//public/./../admin/users',
    ])('decides %s as /admin/users, whatever the gateway makes of it', async (path) => {
      // Denied to alice: a policy for /public/* must not allow what the upstream serves as /admin.
      const alice = await reaching(() => send(gateway.port, path, bearer('alice')));
      expect(alice.answer.status).toBe(403);
      expect(alice.upstream).toHaveLength(0);
      // Allowed to an admin: proof that the decision saw /admin/users, not /public/...
      const admin = await reaching(() => send(gateway.port, path, bearer('admin')));
      expect(admin.answer.status).toBe(200);
      expect(admin.upstream).toHaveLength(1);
      expect(admin.upstream[0].headers['x-zt-subject']).toBe('root@company.com');
    });

    it.each(['/public/..%2Fadmin/users', '/public/%252e%252e/admin/users', '/public/..;/admin/users'])(
      'denies the ambiguous path %s even to an admin',
      async (path) => {
        const { answer, upstream } = await reaching(() => send(gateway.port, path, bearer('admin')));
        expect(answer.status).toBe(403);
        expect(upstream).toHaveLength(0);
      },
    );

    it('denies a request whose client forged the header family its gateway does not set', async () => {
      // nginx sets the X-Original-* family, Caddy the X-Forwarded-* one: the client sends the other.
      const forged: Record<string, string> =
        name === 'nginx' ? { 'x-forwarded-uri': '/public/page' } : { 'x-original-uri': '/public/page' };
      const { answer, upstream } = await reaching(() =>
        send(gateway.port, '/admin/users', { ...bearer('alice'), ...forged }),
      );
      expect(answer.status).toBe(403);
      expect(upstream).toHaveLength(0);
    });
  });
});
