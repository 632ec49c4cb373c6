// A receiver written from the specifications (OpenID SSF 1.0, RFC 8417, RFC 8936, RFC 9493) against
// the standalone product's transmitter: it knows only the issuer URL and finds the rest in the
// metadata.
import { createLocalJWKSet, decodeProtectedHeader, JSONWebKeySet, jwtVerify } from 'jose';
import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

const VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
const STREAM_UPDATED = 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated';
const POLL = 'urn:ietf:rfc:8936';

interface Metadata {
  spec_version: string;
  issuer: string;
  jwks_uri: string;
  delivery_methods_supported: string[];
  configuration_endpoint: string;
  status_endpoint: string;
  add_subject_endpoint: string;
  remove_subject_endpoint: string;
  verification_endpoint: string;
  authorization_schemes: { spec_urn: string }[];
}
interface Stream {
  stream_id: string;
  iss: string;
  aud: string;
  events_requested: string[];
  events_delivered: string[];
  delivery: { method: string; endpoint_url: string };
  description?: string;
}
interface PollAnswer {
  sets: Record<string, string>;
  moreAvailable: boolean;
}
type Problem = { errors?: { pointer: string; detail: string }[] };

/** One HTTP exchange with an absolute URL, as a receiver makes it. */
async function send<T>(
  method: string,
  url: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: T; headers: Headers }> {
  const u = new URL(url);
  return call<T>(u.origin, method, `${u.pathname}${u.search}`, { token, body });
}

describe('SSF transmitter (standalone), seen by a receiver', () => {
  let product: StandaloneUnderTest;
  let metadata: Metadata;
  let receiver: string;
  let other: string;
  let admin: string;
  let engineer: string;

  beforeAll(async () => {
    product = await startStandaloneForTest();
    receiver = await product.issuer.mint({ sub: 'receiver-a', roles: ['ssf_receiver'] });
    other = await product.issuer.mint({ sub: 'receiver-b', roles: ['ssf_receiver'] });
    admin = await product.issuer.mint({ sub: 'ines@company.com', roles: ['infra_admin'] });
    engineer = await product.issuer.mint({ sub: 'eve@company.com', roles: ['engineer'] });
    metadata = (await call<Metadata>(product.url, 'GET', '/.well-known/ssf-configuration')).body;
  }, 60_000);
  afterAll(() => product.stop());

  async function createStream(
    token = receiver,
    body: unknown = { delivery: { method: POLL } },
  ): Promise<Stream> {
    const created = await send<Stream>('POST', metadata.configuration_endpoint, token, body);
    expect(created.status).toBe(201);
    return created.body;
  }
  const poll = (stream: Stream, body: unknown, token = receiver) =>
    send<PollAnswer>('POST', stream.delivery.endpoint_url, token, body);

  it('publishes its metadata without a token: spec 1_0, issuer, poll delivery and every endpoint', async () => {
    const response = await call<Metadata>(product.url, 'GET', '/.well-known/ssf-configuration');
    expect(response.status).toBe(200);
    expect(metadata.spec_version).toBe('1_0');
    expect(metadata.issuer).toBe(product.url);
    expect(metadata.delivery_methods_supported).toEqual([POLL]);
    expect(metadata.authorization_schemes).toEqual([{ spec_urn: 'urn:ietf:rfc:6749' }]);
    for (const endpoint of [
      metadata.jwks_uri,
      metadata.configuration_endpoint,
      metadata.status_endpoint,
      metadata.add_subject_endpoint,
      metadata.remove_subject_endpoint,
      metadata.verification_endpoint,
    ]) {
      expect(endpoint.startsWith(`${metadata.issuer}/`)).toBe(true);
    }
    const jwks = await send<JSONWebKeySet>('GET', metadata.jwks_uri);
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig' })]);
    expect(jwks.body.keys[0]).not.toHaveProperty('d');
  });

  it('delivers a verification SET by poll, signed RS256 with the published key, once acknowledged gone', async () => {
    const stream = await createStream(receiver, { delivery: { method: POLL }, description: 'receiver A' });
    expect(stream).toMatchObject({ iss: metadata.issuer, aud: 'receiver-a', description: 'receiver A' });
    expect(stream.delivery.method).toBe(POLL);
    expect(stream.delivery.endpoint_url.startsWith(`${metadata.issuer}/`)).toBe(true);

    expect((await poll(stream, { returnImmediately: true })).body).toEqual({
      sets: {},
      moreAvailable: false,
    });
    const verify = await send('POST', metadata.verification_endpoint, receiver, {
      stream_id: stream.stream_id,
      state: 'VGhpcyBpcyBhbiBleGFtcGxl',
    });
    expect(verify.status).toBe(204);

    const first = await poll(stream, { returnImmediately: true, maxEvents: 10 });
    expect(first.status).toBe(200);
    const entries = Object.entries(first.body.sets);
    expect(entries).toHaveLength(1);
    const [jti, set] = entries[0] ?? ['', ''];
    const jwks = createLocalJWKSet((await send<JSONWebKeySet>('GET', metadata.jwks_uri)).body);
    expect(decodeProtectedHeader(set)).toMatchObject({ alg: 'RS256', typ: 'secevent+jwt' });
    const { payload } = await jwtVerify(set, jwks, {
      issuer: metadata.issuer,
      audience: 'receiver-a',
      typ: 'secevent+jwt',
      algorithms: ['RS256'],
    });
    expect(payload.jti).toBe(jti);
    expect(typeof payload.iat).toBe('number');
    expect(payload.sub_id).toEqual({ format: 'opaque', id: stream.stream_id });
    expect(payload.events).toEqual({ [VERIFICATION]: { state: 'VGhpcyBpcyBhbiBleGFtcGxl' } });

    // Not acknowledged: delivered again (at least once).
    expect(Object.keys((await poll(stream, { returnImmediately: true })).body.sets)).toEqual([jti]);
    const acked = await poll(stream, { ack: [jti], returnImmediately: true });
    expect(acked.body).toEqual({ sets: {}, moreAvailable: false });
  });

  it('says moreAvailable when a poll asks for fewer SETs than are waiting, and takes setErrs as answers', async () => {
    const stream = await createStream();
    for (const state of ['1', '2', '3']) {
      await send('POST', metadata.verification_endpoint, receiver, { stream_id: stream.stream_id, state });
    }
    const page = await poll(stream, { maxEvents: 2, returnImmediately: true });
    expect(Object.keys(page.body.sets)).toHaveLength(2);
    expect(page.body.moreAvailable).toBe(true);
    const [a, b] = Object.keys(page.body.sets);
    const rest = await poll(stream, {
      ack: [a],
      setErrs: { [b ?? '']: { err: 'invalid_request', description: 'test' } },
      returnImmediately: true,
    });
    expect(Object.keys(rest.body.sets)).toHaveLength(1);
    expect(rest.body.moreAvailable).toBe(false);
  });

  it('long-polls until a SET arrives when returnImmediately is not set', async () => {
    const stream = await createStream();
    const waiting = poll(stream, {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    await send('POST', metadata.verification_endpoint, receiver, { stream_id: stream.stream_id });
    const answer = await waiting;
    expect(Object.keys(answer.body.sets)).toHaveLength(1);
  });

  it('reads, updates, replaces and deletes a stream', async () => {
    const stream = await createStream(receiver, {
      description: 'before',
      events_requested: ['urn:example:x'],
    });
    const url = `${metadata.configuration_endpoint}?stream_id=${stream.stream_id}`;
    expect((await send<Stream>('GET', url, receiver)).body).toEqual(stream);
    const list = await send<Stream[]>('GET', metadata.configuration_endpoint, receiver);
    expect(list.body.map((s) => s.stream_id)).toContain(stream.stream_id);

    const patched = await send<Stream>('PATCH', metadata.configuration_endpoint, receiver, {
      stream_id: stream.stream_id,
      description: 'after',
      iss: 'ignored',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ description: 'after', events_requested: ['urn:example:x'] });
    const replaced = await send<Stream>('PUT', metadata.configuration_endpoint, receiver, {
      stream_id: stream.stream_id,
      delivery: { method: POLL },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.events_requested).toEqual([]);
    expect(replaced.body).not.toHaveProperty('description');

    expect((await send('DELETE', url, receiver)).status).toBe(204);
    expect((await send('GET', url, receiver)).status).toBe(404);
  });

  it('pauses, enables and disables a stream; a status change is itself a SET', async () => {
    const stream = await createStream();
    const statusUrl = `${metadata.status_endpoint}?stream_id=${stream.stream_id}`;
    expect((await send('GET', statusUrl, receiver)).body).toEqual({
      stream_id: stream.stream_id,
      status: 'enabled',
    });
    const paused = await send('POST', metadata.status_endpoint, receiver, {
      stream_id: stream.stream_id,
      status: 'paused',
      reason: 'maintenance',
    });
    expect(paused.body).toEqual({ stream_id: stream.stream_id, status: 'paused', reason: 'maintenance' });
    // Paused: events are held, not delivered.
    expect((await poll(stream, { returnImmediately: true })).body.sets).toEqual({});
    await send('POST', metadata.status_endpoint, receiver, {
      stream_id: stream.stream_id,
      status: 'enabled',
    });
    const held = await poll(stream, { returnImmediately: true });
    const events = await Promise.all(
      Object.values(held.body.sets).map(async (set) => {
        const jwks = createLocalJWKSet((await send<JSONWebKeySet>('GET', metadata.jwks_uri)).body);
        return (await jwtVerify(set, jwks)).payload.events;
      }),
    );
    expect(events).toEqual([
      { [STREAM_UPDATED]: { status: 'paused', reason: 'maintenance' } },
      { [STREAM_UPDATED]: { status: 'enabled' } },
    ]);
    await send('POST', metadata.status_endpoint, receiver, {
      stream_id: stream.stream_id,
      status: 'disabled',
    });
    expect((await poll(stream, { returnImmediately: true })).body.sets).toEqual({});
  });

  it('adds and removes subjects in RFC 9493 formats', async () => {
    const stream = await createStream();
    const subject = { format: 'email', email: 'dana@company.com' };
    const add = (s: unknown) =>
      send('POST', metadata.add_subject_endpoint, receiver, { stream_id: stream.stream_id, subject: s });
    expect((await add(subject)).status).toBe(200);
    expect((await add({ format: 'iss_sub', iss: 'https://idp.example', sub: '42' })).status).toBe(200);
    expect(
      (await add({ format: 'complex', user: subject, device: { format: 'opaque', id: 'laptop-7' } })).status,
    ).toBe(200);
    const remove = (s: unknown) =>
      send('POST', metadata.remove_subject_endpoint, receiver, { stream_id: stream.stream_id, subject: s });
    // Member order does not make another subject.
    expect((await remove({ email: 'dana@company.com', format: 'email' })).status).toBe(204);
    expect((await remove(subject)).status).toBe(404);
  });

  it("keeps one receiver out of another's streams; infra_admin sees all; other roles none", async () => {
    const stream = await createStream();
    const url = `${metadata.configuration_endpoint}?stream_id=${stream.stream_id}`;
    expect((await send('GET', url, other)).status).toBe(404);
    expect((await send('DELETE', url, other)).status).toBe(404);
    expect((await poll(stream, { returnImmediately: true }, other)).status).toBe(404);
    expect(
      (await send('POST', metadata.verification_endpoint, other, { stream_id: stream.stream_id })).status,
    ).toBe(404);
    const othersList = await send<Stream[]>('GET', metadata.configuration_endpoint, other);
    expect(othersList.body.map((s) => s.stream_id)).not.toContain(stream.stream_id);
    expect((await send('GET', url, admin)).status).toBe(200);
    expect((await send('GET', url, engineer)).status).toBe(403);
    expect((await send('GET', url)).status).toBe(401);
  });

  it('refuses bad bodies with 400 and a pointer to each bad field', async () => {
    const stream = await createStream();
    const expectPointers = async (
      response: Promise<{ status: number; body: unknown }>,
      pointers: string[],
    ) => {
      const r = await response;
      expect(r.status).toBe(400);
      expect((r.body as Problem).errors?.map((e) => e.pointer)).toEqual(expect.arrayContaining(pointers));
    };
    await expectPointers(
      send('POST', metadata.configuration_endpoint, receiver, {
        delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://receiver.example/events' },
      }),
      ['/delivery/method'],
    );
    await expectPointers(
      send('POST', metadata.configuration_endpoint, receiver, { events_requested: ['x'.repeat(300)] }),
      ['/events_requested/0'],
    );
    await expectPointers(
      send('POST', metadata.add_subject_endpoint, receiver, {
        stream_id: stream.stream_id,
        subject: { format: 'email', email: 'not-an-email' },
      }),
      ['/subject/email'],
    );
    await expectPointers(poll(stream, { maxEvents: 5000, ack: 'x' }), ['/maxEvents', '/ack']);
    await expectPointers(
      send('POST', metadata.status_endpoint, receiver, { stream_id: stream.stream_id, status: 'off' }),
      ['/status'],
    );
    await expectPointers(send('DELETE', metadata.configuration_endpoint, receiver), ['/stream_id']);
  });
});
