import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import {
  AddressResolver,
  ForbiddenHostError,
  forbiddenHostLookup,
  modelHostRules,
  ModelHostRules,
  modelUrlProblem,
} from './model-url';

const DISTRIBUTED: ModelHostRules = { allowedHosts: [], allowPrivate: false };
const PRIVATE_ALLOWED: ModelHostRules = { allowedHosts: [], allowPrivate: true };
const listed = (...hosts: string[]): ModelHostRules => ({ allowedHosts: hosts, allowPrivate: false });

describe('modelUrlProblem', () => {
  it('accepts public http and https URLs when no allow-list is set', () => {
    expect(modelUrlProblem('https://ml.internal.example/score', DISTRIBUTED)).toBeUndefined();
    expect(modelUrlProblem('http://203.0.113.7:8090/score', DISTRIBUTED)).toBeUndefined();
    expect(modelUrlProblem('https://[2001:db8::1]/score', DISTRIBUTED)).toBeUndefined();
  });

  it.each([
    ['file:///etc/passwd', 'must use http or https'],
    ['gopher://internal:70/', 'must use http or https'],
    ['not a url', 'must be an absolute URL'],
    ['https://user:secret@ml.example/score', 'must not carry credentials'],
  ])('refuses %s', (url, problem) => {
    expect(modelUrlProblem(url, DISTRIBUTED)).toBe(problem);
    expect(modelUrlProblem(url, PRIVATE_ALLOWED)).toBe(problem);
  });

  it('allows only the listed hosts, case-insensitively, when an allow-list is set', () => {
    const allowed = listed('ml.example.com', 'risk-model', '127.0.0.1');
    expect(modelUrlProblem('https://ML.example.com/score', allowed)).toBeUndefined();
    expect(modelUrlProblem('https://ml.example.com./score', allowed)).toBeUndefined();
    expect(modelUrlProblem('http://risk-model:8090/score', allowed)).toBeUndefined();
    // The operator listed it on purpose: the list wins over the private-range default.
    expect(modelUrlProblem('http://127.0.0.1:8090/score', allowed)).toBeUndefined();
    expect(modelUrlProblem('http://169.254.169.254/latest/meta-data', allowed)).toBe(
      'host 169.254.169.254 is not in MODEL_ALLOWED_HOSTS',
    );
    expect(modelUrlProblem('https://ml.example.com.evil.test/score', allowed)).toMatch(/not in/);
  });

  it.each([
    // loopback, in every spelling WHATWG URL normalises to 127.0.0.1
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.10.20.30/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://017700000001/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[0:0:0:0:0:0:0:1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:7f00:1]/', 'loopback'],
    ['http://localhost:8090/', 'loopback name'],
    ['http://LOCALHOST./', 'loopback name'],
    ['http://model.localhost/', 'loopback name'],
    // "this network" and unspecified
    ['http://0.0.0.0/', '"this network"'],
    ['http://0/', '"this network"'],
    ['http://[::]/', 'unspecified'],
    // link-local, where cloud metadata lives
    ['http://169.254.169.254/latest/meta-data', 'link-local'],
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://[febf::1]/', 'link-local'],
    // private ranges
    ['http://10.0.0.5/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://172.31.255.254/', 'private'],
    ['http://192.168.1.10/', 'private'],
    ['http://[::ffff:10.1.2.3]/', 'private'],
    ['http://[fc00::1]/', 'unique local'],
    ['http://[fd12:3456::1]/', 'unique local'],
    ['http://100.100.100.200/', 'carrier-grade NAT'],
    // IPv6 forms that carry an IPv4 address
    ['http://[::127.0.0.1]/', 'IPv4-compatible'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'NAT64'],
    ['http://[2002:7f00:1::]/', '6to4'],
    // cloud metadata names
    ['http://metadata.google.internal/computeMetadata/v1/', 'cloud metadata name'],
    ['http://metadata/computeMetadata/v1/', 'cloud metadata name'],
    ['http://instance-data/latest/', 'cloud metadata name'],
    ['http://Metadata.Google.Internal./', 'cloud metadata name'],
  ])('refuses %s in distributed mode by default (%s)', (url, kind) => {
    const problem = modelUrlProblem(url, DISTRIBUTED);
    expect(problem).toContain(kind);
    expect(problem).toContain('MODEL_ALLOW_PRIVATE_HOSTS=true');
    expect(problem).toContain('MODEL_ALLOWED_HOSTS');
    expect(modelUrlProblem(url, PRIVATE_ALLOWED)).toBeUndefined();
  });

  it('keeps public neighbours of the refused ranges', () => {
    for (const host of [
      '172.32.0.1',
      '172.15.255.255',
      '11.0.0.1',
      '192.169.0.1',
      '169.255.0.1',
      '[2001:4860::8888]',
    ]) {
      expect(modelUrlProblem(`http://${host}/`, DISTRIBUTED)).toBeUndefined();
    }
  });
});

describe('modelHostRules', () => {
  it('allows private hosts in standalone (a local trial) and only on request in distributed mode', () => {
    const settings = { MODEL_ALLOWED_HOSTS: undefined, MODEL_ALLOW_PRIVATE_HOSTS: false };
    expect(modelHostRules(settings, 'standalone')).toEqual(PRIVATE_ALLOWED);
    expect(modelHostRules(settings, 'distributed')).toEqual(DISTRIBUTED);
    expect(modelHostRules({ ...settings, MODEL_ALLOW_PRIVATE_HOSTS: true }, 'distributed')).toEqual(
      PRIVATE_ALLOWED,
    );
    expect(modelHostRules({ ...settings, MODEL_ALLOWED_HOSTS: ['ml'] }, 'standalone').allowedHosts).toEqual([
      'ml',
    ]);
  });
});

/** Calls a lookup as node:net does, with `all`, and returns what it answered. */
function lookUp(lookup: LookupFunction, host: string): Promise<{ error?: Error; addresses?: unknown }> {
  return new Promise((resolve) =>
    lookup(host, { all: true }, (error, addresses) => resolve(error ? { error } : { addresses })),
  );
}

/** A resolver that answers invented names, as a rebinding DNS server would. */
function answering(addresses: Record<string, string[]>): AddressResolver {
  return (hostname, _options, callback) =>
    callback(
      null,
      (addresses[hostname] ?? []).map((address): LookupAddress => ({
        address,
        family: address.includes(':') ? 6 : 4,
      })),
    );
}

describe('forbiddenHostLookup (DNS rebinding)', () => {
  const dns = answering({
    'public.test': ['203.0.113.7', '2001:db8::7'],
    'rebind.test': ['127.0.0.1'],
    'mixed.test': ['203.0.113.7', '169.254.169.254'],
    'mapped.test': ['::ffff:10.0.0.1'],
  });

  it('passes names that resolve only to public addresses', async () => {
    const lookup = forbiddenHostLookup(DISTRIBUTED, dns);
    expect(await lookUp(lookup!, 'public.test')).toEqual({
      addresses: [
        { address: '203.0.113.7', family: 4 },
        { address: '2001:db8::7', family: 6 },
      ],
    });
  });

  it.each([
    ['rebind.test', '127.0.0.1'],
    ['mixed.test', '169.254.169.254'],
    ['mapped.test', '::ffff:10.0.0.1'],
  ])('refuses %s, which resolves to %s', async (host, address) => {
    const { error } = await lookUp(forbiddenHostLookup(DISTRIBUTED, dns)!, host);
    expect(error).toBeInstanceOf(ForbiddenHostError);
    expect(error?.message).toContain(`host ${host} resolves to ${address}`);
    expect(error?.message).toContain('MODEL_ALLOW_PRIVATE_HOSTS=true');
  });

  it('is not needed when private hosts are allowed or an allow-list names the hosts', () => {
    expect(forbiddenHostLookup(PRIVATE_ALLOWED, dns)).toBeUndefined();
    expect(forbiddenHostLookup(listed('rebind.test'), dns)).toBeUndefined();
  });
});
