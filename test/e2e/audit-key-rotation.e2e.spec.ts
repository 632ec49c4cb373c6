import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_SERVICES } from '../../apps/standalone/src/services';
import { DevIssuer } from '@zt/auth';
import { loadConfig } from '@zt/config';
import { RunningProcess, startStandalone } from '@zt/runtime';
import { call } from '../support/http';

interface Verdict {
  valid: boolean;
  checkpoints: number;
  firstBroken?: { reason: string };
}

/**
 * A rotated checkpoint key: the checkpoints signed with the old key stay verifiable once its
 * public half is listed in AUDIT_PREVIOUS_KEYS_FILE, and are reported broken while it is not
 * (an unknown key is never skipped: it could be a forger's).
 */
describe('audit checkpoint key rotation (standalone)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zt-e2e-rotation-'));
  let running: RunningProcess | undefined;

  const start = async (env: Record<string, string>) => {
    running = await startStandalone(
      ALL_SERVICES,
      loadConfig({ PORT: '0', GRPC_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env }),
    );
    const issuer = running.app.get(DevIssuer);
    return {
      url: running.url,
      auditor: await issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] }),
      admin: await issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] }),
    };
  };
  const stop = async () => {
    await running?.close();
    running = undefined;
  };
  const verify = async (url: string, token: string) =>
    (await call<Verdict>(url, 'GET', '/v1/zt-policy/audit/verify', { token })).body;

  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('verifies old checkpoints only with the old public key listed', async () => {
    const first = await start({ AUDIT_SIGNING_KEY_FILE: join(dataDir, 'key-a.jwk.json') });
    const created = await call(first.url, 'POST', '/v1/zt-policy/policies', {
      token: first.admin,
      body: {
        id: 'pol_one',
        name: 'one',
        subjects: ['*'],
        resources: ['a.*'],
        actions: ['read'],
        effect: 'allow',
      },
    });
    expect(created.status).toBe(201);
    // An export ends with a checkpoint over its last record, signed with key A.
    const exported = await fetch(`${first.url}/v1/zt-policy/audit/export`, {
      headers: { authorization: `Bearer ${first.auditor}` },
    });
    expect(exported.status).toBe(200);
    await exported.text();
    expect(await verify(first.url, first.auditor)).toMatchObject({ valid: true, checkpoints: 1 });
    const oldKeys = (
      await call<{ keys: { kid: string }[] }>(first.url, 'GET', '/v1/zt-policy/audit/keys', {
        token: first.auditor,
      })
    ).body;
    await stop();

    const rotated = await start({ AUDIT_SIGNING_KEY_FILE: join(dataDir, 'key-b.jwk.json') });
    const broken = await verify(rotated.url, rotated.auditor);
    expect(broken.valid).toBe(false);
    expect(broken.firstBroken?.reason).toContain('does not verify');
    await stop();

    const previous = join(dataDir, 'previous-keys.json');
    writeFileSync(previous, JSON.stringify(oldKeys));
    const trusted = await start({
      AUDIT_SIGNING_KEY_FILE: join(dataDir, 'key-b.jwk.json'),
      AUDIT_PREVIOUS_KEYS_FILE: previous,
    });
    expect(await verify(trusted.url, trusted.auditor)).toMatchObject({ valid: true });
    const served = await call<{ keys: { kid: string }[] }>(trusted.url, 'GET', '/v1/zt-policy/audit/keys', {
      token: trusted.auditor,
    });
    expect(served.body.keys.map((k) => k.kid)).toEqual([expect.any(String), oldKeys.keys[0].kid]);
    expect(served.body.keys[0].kid).not.toBe(oldKeys.keys[0].kid);
  });
});
