import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConnection } from './connection';
import { CliFailure, EXIT } from './exit-codes';

describe('resolveConnection', () => {
  let dir: string;
  let profile: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztctl-profile-'));
    profile = join(dir, 'profile.json');
    writeFileSync(profile, JSON.stringify({ server: 'https://profile.example', token: 'from-profile' }));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a flag over the environment over the profile file', () => {
    const env = { ZT_PROFILE: profile, ZT_SERVER: 'https://env.example', ZT_TOKEN: 'from-env' };
    expect(resolveConnection({}, { ZT_PROFILE: profile })).toEqual({
      server: 'https://profile.example',
      token: 'from-profile',
    });
    expect(resolveConnection({}, env)).toEqual({ server: 'https://env.example', token: 'from-env' });
    expect(resolveConnection({ server: 'http://flag.example/', token: 'from-flag' }, env)).toEqual({
      server: 'http://flag.example',
      token: 'from-flag',
    });
  });

  it('reads a token file, and uses a saved plan server only when nothing else names one', () => {
    writeFileSync(join(dir, 'token'), 'from-file\n');
    const none = join(dir, 'absent-but-empty.json');
    writeFileSync(none, '{}');
    expect(
      resolveConnection({ tokenFile: join(dir, 'token') }, { ZT_PROFILE: none }, 'https://plan.example'),
    ).toEqual({
      server: 'https://plan.example',
      token: 'from-file',
    });
  });

  it('refuses no server or a server that is not a URL as usage, and a bad profile as a failure', () => {
    const none = join(dir, 'empty.json');
    writeFileSync(none, '{}');
    expect(() => resolveConnection({}, { ZT_PROFILE: none })).toThrow(
      expect.objectContaining({ exitCode: EXIT.usage }) as CliFailure,
    );
    expect(() => resolveConnection({ server: 'ftp://x' }, { ZT_PROFILE: none })).toThrow(/http\(s\) URL/);
    writeFileSync(none, '[1]');
    expect(() => resolveConnection({}, { ZT_PROFILE: none })).toThrow(/must be a JSON object/);
    expect(() => resolveConnection({}, { ZT_PROFILE: join(dir, 'missing.json') })).toThrow(
      /cannot read the profile/,
    );
  });
});
