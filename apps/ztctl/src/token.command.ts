import { parseArgs } from 'node:util';
import { DevIssuer } from '@zt/auth';
import { TOKEN_USAGE } from './token.usage';

/** `ztctl token`: mints a development token with the standalone issuer's key. */
export async function tokenCommand(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      sub: { type: 'string' },
      roles: { type: 'string', default: '' },
      groups: { type: 'string' },
      mfa: { type: 'boolean', default: false },
      posture: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      aud: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return TOKEN_USAGE.trimEnd();
  if (!values.sub) throw new UsageError('--sub is required');
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400)
    throw new UsageError('--ttl must be 1 to 86400 seconds');
  const list = (text: string | undefined) => (text ?? '').split(',').filter((s) => s.length > 0);
  const issuer = await DevIssuer.loadOrCreate(
    values['data-dir'] ?? env.DATA_DIR ?? './data',
    env.JWT_ISSUER || undefined,
  );
  return issuer.mint({
    sub: values.sub,
    roles: list(values.roles),
    ...(values.groups ? { groups: list(values.groups) } : {}),
    ...(values.posture ? { devicePosture: values.posture } : {}),
    mfa: values.mfa,
    ttlSeconds: ttl,
    ...(values.aud ? { audience: values.aud } : {}),
  });
}

/** A mistake in the command line: usage goes to stderr and the exit code is 2. */
export class UsageError extends Error {}
