import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliFailure, EXIT } from './exit-codes';

/** Where the server commands go and with which token. */
export interface Connection {
  server: string;
  token?: string;
}

/** The flags that name a server; the same on every server command. */
export interface ConnectionFlags {
  server?: string;
  token?: string;
  tokenFile?: string;
  profile?: string;
}

/** A profile file: `{ "server": "https://…", "token": "…" }` or `"token_file": "path"`. */
interface Profile {
  server?: string;
  token?: string;
  token_file?: string;
}

/**
 * The profile file: `--profile`, else `ZT_PROFILE`, else `$XDG_CONFIG_HOME/ztctl/profile.json`
 * (`~/.config/ztctl/profile.json`). Only an explicitly named file must exist.
 */
function profileOf(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Profile {
  const named = flags.profile ?? env.ZT_PROFILE;
  const file = named ?? join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'ztctl', 'profile.json');
  if (!named && !existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliFailure(`cannot read the profile ${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new CliFailure(`the profile ${file} must be a JSON object`);
  const profile = parsed as Record<string, unknown>;
  for (const key of ['server', 'token', 'token_file'] as const) {
    if (profile[key] !== undefined && typeof profile[key] !== 'string')
      throw new CliFailure(`the profile ${file}: ${key} must be a string`);
  }
  return profile;
}

const readToken = (file: string) => readFileSync(file, 'utf8').trim();

/**
 * The server and token of a server command: a flag wins over the environment (`ZT_SERVER`,
 * `ZT_TOKEN`), which wins over the profile file (and that over `fallbackServer`: a saved plan's). A token is optional: a server that requires one
 * answers 401, and the command says so.
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  fallbackServer?: string,
): Connection {
  const profile = profileOf(flags, env);
  const server = flags.server ?? (env.ZT_SERVER || undefined) ?? profile.server ?? fallbackServer;
  if (!server)
    throw new CliFailure(
      'no server: pass --server URL, set ZT_SERVER or name one in the profile',
      EXIT.usage,
    );
  if (!/^https?:\/\/[^\s]+$/.test(server))
    throw new CliFailure(`--server must be an http(s) URL, not ${server}`, EXIT.usage);
  const token =
    flags.token ??
    (flags.tokenFile ? readToken(flags.tokenFile) : undefined) ??
    (env.ZT_TOKEN || undefined) ??
    profile.token ??
    (profile.token_file ? readToken(profile.token_file) : undefined);
  return { server: server.replace(/\/+$/, ''), ...(token ? { token } : {}) };
}

/** A problem+json answer, as far as the CLI shows it. */
interface Problem {
  title?: string;
  detail?: string;
  code?: string;
  errors?: { pointer: string; detail: string }[];
}

/** A failed HTTP call, with the server's status and problem document. */
export class ServerError extends CliFailure {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    what: string,
  ) {
    const detail = problem?.detail ?? problem?.title ?? '';
    const errors = (problem?.errors ?? []).map((e) => `\n  ${e.pointer || '/'}: ${e.detail}`).join('');
    super(`${what}: ${status}${problem?.code ? ` ${problem.code}` : ''} ${detail}${errors}`.trimEnd());
  }
}

/** Calls the server's API (paths under /v1/zt-policy); answers the JSON body and the revision header. */
export async function callServer<T>(
  connection: Connection,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ body: T; revision?: number }> {
  const url = `${connection.server}/v1/zt-policy${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(connection.token ? { authorization: `Bearer ${connection.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new CliFailure(`${method} ${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok)
    throw new ServerError(response.status, parsed as Problem | undefined, `${method} ${path}`);
  const header = response.headers.get('zt-policy-revision');
  return { body: parsed as T, ...(header ? { revision: Number(header) } : {}) };
}
