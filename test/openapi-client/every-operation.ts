// A client of the Zero Trust Policy API generated from its live /openapi.json by
// openapi-typescript (`paths`, in ./schema.d.ts, written next to this file by the test) and driven by
// openapi-fetch: one call per operation of the document, each reading typed fields of its answer.
// The table's type lists every operation of the document, so tsc fails when one is added to the
// API and not here (see README.md).
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

export type Api = Client<paths>;

/** What one call saw: its HTTP status, and fields it read from the typed answer. */
export interface Outcome {
  status: number;
  read?: Record<string, unknown>;
}

/** Ids made by one call and used by the next ones. */
export interface Fixtures {
  policyId: string;
  principalId: string;
  deviceId: string;
  /** The SSF stream made by POST /ssf/v1/streams. */
  streamId: string;
  resource: { type: string; id: string };
}

export type Call = (api: Api, fixtures: Fixtures) => Promise<Outcome>;

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch' | 'head' | 'options' | 'trace';
/** The methods a path has: openapi-typescript writes `get?: never` for the others. */
type MethodsOf<P> = { [M in Method & keyof P as P[M] extends undefined ? never : M]-?: Call };
/** One call for every operation of the document, no more and no fewer. */
export type EveryOperation = { [P in keyof paths]: MethodsOf<paths[P]> };

const POLICY = {
  name: 'Client test: engineering reads gitlab',
  subjects: ['group:engineering'],
  resources: ['gitlab.*'],
  actions: ['read'],
  effect: 'allow' as const,
};
const SUBJECT = { type: 'user', id: 'bob@company.com', properties: { groups: ['engineering'] } };

/** The operations in the order they run: what a call reads, an earlier one made. */
export const EVERY_OPERATION: EveryOperation = {
  '/healthz': {
    get: async (api) => {
      const { data, response } = await api.GET('/healthz');
      return { status: response.status, read: { status: data?.status } };
    },
  },
  '/readyz': {
    get: async (api) => {
      const { data, error, response } = await api.GET('/readyz');
      const answer = data ?? error;
      const checks: string[] = Object.keys(answer?.checks ?? {});
      return { status: response.status, read: { status: answer?.status, checks } };
    },
  },
  '/metrics': {
    get: async (api) => {
      const { data, response } = await api.GET('/metrics', { parseAs: 'text' });
      return { status: response.status, read: { lines: data?.split('\n').length } };
    },
  },
  '/openapi.json': {
    get: async (api) => {
      const { data, response } = await api.GET('/openapi.json');
      return { status: response.status, read: { openapi: data?.openapi, servers: data?.servers?.length } };
    },
  },
  '/asyncapi.json': {
    get: async (api) => {
      const { data, response } = await api.GET('/asyncapi.json');
      const channels: string[] = Object.keys(data?.channels ?? {});
      return { status: response.status, read: { asyncapi: data?.asyncapi, channels } };
    },
  },
  '/docs': {
    get: async (api) => {
      const { data, response } = await api.GET('/docs', { parseAs: 'text' });
      return { status: response.status, read: { html: data?.includes('/openapi.json') } };
    },
  },
  '/docs/{asset}': {
    get: async (api) => {
      const { response } = await api.GET('/docs/{asset}', {
        params: { path: { asset: 'swagger-ui.css' } },
        parseAs: 'stream',
      });
      await response.body?.cancel();
      return { status: response.status };
    },
  },
  '/.well-known/jwks.json': {
    get: async (api) => {
      const { data, response } = await api.GET('/.well-known/jwks.json');
      const kty: string | undefined = data?.keys[0]?.kty;
      return { status: response.status, read: { kty } };
    },
  },
  '/.well-known/authzen-configuration': {
    get: async (api) => {
      const { data, response } = await api.GET('/.well-known/authzen-configuration');
      const pdp: string | undefined = data?.policy_decision_point;
      return { status: response.status, read: { policy_decision_point: pdp } };
    },
  },
  '/v1/zt-policy/policies': {
    post: async (api, fixtures) => {
      const { data, response } = await api.POST('/v1/zt-policy/policies', {
        body: POLICY,
        params: { header: { 'zt-change-reason': 'openapi client test' } },
      });
      const id = data && 'id' in data && typeof data.id === 'string' ? data.id : undefined;
      if (id) fixtures.policyId = id;
      return { status: response.status, read: { id, etag: response.headers.get('etag') } };
    },
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/policies', {
        params: { query: { effect: 'allow', limit: 10 } },
      });
      return { status: response.status, read: { count: data?.length } };
    },
  },
  '/v1/zt-policy/policies:validate': {
    post: async (api) => {
      const { data, response } = await api.POST('/v1/zt-policy/policies:validate', {
        body: POLICY,
        params: { query: { format: 'nist' } },
      });
      const valid: true | undefined = data?.valid;
      return { status: response.status, read: { valid, format: data?.format } };
    },
  },
  '/v1/zt-policy/policies/{id}/versions': {
    get: async (api, { policyId }) => {
      const { data, response } = await api.GET('/v1/zt-policy/policies/{id}/versions', {
        params: { path: { id: policyId } },
      });
      const changes: string[] | undefined = data?.map((v) => v.change);
      return { status: response.status, read: { changes } };
    },
  },
  '/v1/zt-policy/policies/{id}/versions/{version}': {
    get: async (api, { policyId }) => {
      const { data, response } = await api.GET('/v1/zt-policy/policies/{id}/versions/{version}', {
        params: { path: { id: policyId, version: '1' } },
      });
      return { status: response.status, read: { deleted: data && 'deleted' in data } };
    },
  },
  '/v1/zt-policy/policies/{id}/rollback': {
    post: async (api, { policyId }) => {
      const { response } = await api.POST('/v1/zt-policy/policies/{id}/rollback', {
        params: { path: { id: policyId } },
        body: { version: 1 },
      });
      return { status: response.status, read: { revision: response.headers.get('zt-policy-revision') } };
    },
  },
  '/v1/zt-policy/policies/{id}': {
    get: async (api, { policyId }) => {
      const { response } = await api.GET('/v1/zt-policy/policies/{id}', {
        params: { path: { id: policyId } },
      });
      return { status: response.status, read: { etag: response.headers.get('etag') } };
    },
    put: async (api, { policyId }) => {
      const { response } = await api.PUT('/v1/zt-policy/policies/{id}', {
        params: { path: { id: policyId }, header: { 'if-match': '"2"' } },
        body: { ...POLICY, actions: ['read', 'write'] },
      });
      return { status: response.status };
    },
    delete: async (api, { policyId }) => {
      const { response } = await api.DELETE('/v1/zt-policy/policies/{id}', {
        params: { path: { id: policyId } },
      });
      return { status: response.status };
    },
  },
  '/v1/zt-policy/policies/{id}/restore': {
    post: async (api, { policyId }) => {
      const { response } = await api.POST('/v1/zt-policy/policies/{id}/restore', {
        params: { path: { id: policyId } },
      });
      return { status: response.status };
    },
  },
  '/v1/zt-policy/principals/{id}': {
    put: async (api, { principalId }) => {
      const { data, response } = await api.PUT('/v1/zt-policy/principals/{id}', {
        params: { path: { id: principalId } },
        body: { type: 'user', groups: ['engineering'], attributes: { department: 'r&d' } },
      });
      const groups: string[] | undefined = data?.groups;
      return { status: response.status, read: { groups, department: data?.attributes.department } };
    },
    get: async (api, { principalId }) => {
      const { data, response } = await api.GET('/v1/zt-policy/principals/{id}', {
        params: { path: { id: principalId } },
      });
      return { status: response.status, read: { version: data?.version } };
    },
    delete: async (api) => {
      // Another principal than the one the searches below look for.
      const { response } = await api.DELETE('/v1/zt-policy/principals/{id}', {
        params: { path: { id: 'nobody@company.com' } },
      });
      return { status: response.status };
    },
  },
  '/v1/zt-policy/principals': {
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/principals', {
        params: { query: { group: 'engineering', limit: 10 } },
      });
      return { status: response.status, read: { first: data?.[0]?.id, next: response.headers.get('link') } };
    },
  },
  '/v1/zt-policy/resources/{type}/{id}': {
    put: async (api, { resource }) => {
      const { data, response } = await api.PUT('/v1/zt-policy/resources/{type}/{id}', {
        params: { path: resource },
        body: { properties: { owner: 'bob@company.com' } },
      });
      return { status: response.status, read: { owner: data?.properties.owner } };
    },
    get: async (api, { resource }) => {
      const { data, response } = await api.GET('/v1/zt-policy/resources/{type}/{id}', {
        params: { path: resource },
      });
      return { status: response.status, read: { version: data?.version } };
    },
    delete: async (api, { resource }) => {
      const { response } = await api.DELETE('/v1/zt-policy/resources/{type}/{id}', {
        params: { path: { type: resource.type, id: 'never-made' } },
      });
      return { status: response.status };
    },
  },
  '/v1/zt-policy/resources': {
    get: async (api, { resource }) => {
      const { data, response } = await api.GET('/v1/zt-policy/resources', {
        params: { query: { type: resource.type, limit: 10 } },
      });
      return { status: response.status, read: { first: data?.[0]?.id } };
    },
  },
  '/v1/zt-policy/policies:snapshot': {
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/policies:snapshot');
      const principals: (string | undefined)[] | undefined = data?.principals.map((p) => p.principal?.id);
      return { status: response.status, read: { revision: data?.revision, principals } };
    },
  },
  '/v1/zt-policy/status': {
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/status');
      const lag: number[] | undefined = data?.replicas.map((r) => r.lag);
      return { status: response.status, read: { lag, pending: data?.last_change.pending } };
    },
  },
  '/v1/zt-policy/changesets': {
    post: async (api) => {
      const { data, response } = await api.POST('/v1/zt-policy/changesets', {
        body: {
          reason: 'client',
          changes: [{ op: 'put', kind: 'principal', id: 'client-set', principal: { roles: ['viewer'] } }],
        },
      });
      return { status: response.status, read: { result: data?.changes[0]?.result } };
    },
  },
  '/v1/zt-policy/changesets:validate': {
    post: async (api) => {
      const { data, response } = await api.POST('/v1/zt-policy/changesets:validate', {
        body: { changes: [{ op: 'put', kind: 'principal', id: 'client-set-2', principal: {} }] },
      });
      return { status: response.status, read: { valid: data?.valid } };
    },
  },
  '/v1/zt-policy/changesets:simulate': {
    post: async (api) => {
      const { data, response } = await api.POST('/v1/zt-policy/changesets:simulate', {
        body: {
          changes: [{ op: 'put', kind: 'principal', id: 'client-set-3', principal: {} }],
          replay: { limit: 100 },
        },
      });
      return { status: response.status, read: { replayed: data?.replay.replayed } };
    },
  },
  '/v1/zt-policy/attribute-schema': {
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/attribute-schema');
      return { status: response.status, read: { version: data?.version } };
    },
    put: async (api) => {
      // Every attribute the program's policies use is declared: the schema is accepted.
      const { data, response } = await api.PUT('/v1/zt-policy/attribute-schema', {
        body: { version: 1, subject: { properties: { department: { type: 'string' } } } },
      });
      return { status: response.status, read: { version: data?.version, actor: data?.actor } };
    },
  },
  '/v1/zt-policy/attribute-schema/versions': {
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/attribute-schema/versions');
      const versions: number[] | undefined = data?.map((v) => v.version);
      return { status: response.status, read: { versions } };
    },
  },
  '/v1/zt-policy/routes': {
    get: async (api) => {
      const { response } = await api.GET('/v1/zt-policy/routes');
      return { status: response.status };
    },
  },
  '/v1/zt-policy/decisions': {
    post: async (api) => {
      const { data, response } = await api.POST('/v1/zt-policy/decisions', {
        body: {
          subject: { id: 'bob@company.com', groups: ['engineering'] },
          action: 'read',
          resource: { id: 'gitlab.repo' },
        },
      });
      const candidates: boolean[] | undefined = data?.candidates.map((c) => c.applies);
      return {
        status: response.status,
        read: { decision: data?.decision, decision_id: data?.decision_id, candidates },
      };
    },
  },
  '/access/v1/evaluation': {
    post: async (api) => {
      const { data, response } = await api.POST('/access/v1/evaluation', {
        body: { subject: SUBJECT, action: { name: 'read' }, resource: { type: 'repo', id: 'gitlab.repo' } },
      });
      const reason: string | undefined = data?.context?.reason_admin.en;
      return { status: response.status, read: { decision: data?.decision, reason_admin: reason } };
    },
  },
  '/access/v1/evaluations': {
    post: async (api) => {
      const { data, response } = await api.POST('/access/v1/evaluations', {
        body: {
          subject: SUBJECT,
          resource: { type: 'repo', id: 'gitlab.repo' },
          evaluations: [{ action: { name: 'read' } }, { action: { name: 'delete' } }],
        },
      });
      const decisions = data && 'evaluations' in data ? data.evaluations.map((e) => e.decision) : undefined;
      return { status: response.status, read: { decisions } };
    },
  },
  '/access/v1/search/subject': {
    post: async (api) => {
      const { data, response } = await api.POST('/access/v1/search/subject', {
        body: {
          subject: { type: 'user' },
          action: { name: 'read' },
          resource: { type: 'repo', id: 'gitlab.repo' },
        },
      });
      return { status: response.status, read: { results: data?.results.map((r) => r.id) } };
    },
  },
  '/access/v1/search/resource': {
    post: async (api, { resource }) => {
      const { data, response } = await api.POST('/access/v1/search/resource', {
        body: { subject: SUBJECT, action: { name: 'read' }, resource: { type: resource.type } },
      });
      return { status: response.status, read: { results: data?.results.map((r) => r.id) } };
    },
  },
  '/access/v1/search/action': {
    post: async (api) => {
      const { data, response } = await api.POST('/access/v1/search/action', {
        body: { subject: SUBJECT, resource: { type: 'repo', id: 'gitlab.repo' } },
      });
      return { status: response.status, read: { results: data?.results.map((r) => r.name) } };
    },
  },
  '/v1/zt-policy/forward-auth': {
    get: async (api) => {
      const { error, response } = await api.GET('/v1/zt-policy/forward-auth', {
        params: { header: { 'X-Original-Method': 'GET', 'X-Original-URI': '/' } },
      });
      return { status: response.status, read: { code: error?.code } };
    },
    post: async (api) => {
      const { error, response } = await api.POST('/v1/zt-policy/forward-auth', {
        params: { header: { 'X-Forwarded-Method': 'GET', 'X-Forwarded-Uri': '/' } },
      });
      return { status: response.status, read: { code: error?.code } };
    },
  },
  '/v1/zt-policy/device-intelligence/posture': {
    post: async (api, { deviceId }) => {
      const { data, response } = await api.POST('/v1/zt-policy/device-intelligence/posture', {
        body: { device_id: deviceId, signals: { managed: true, disk_encrypted: true } },
      });
      return { status: response.status, read: { accepted: data?.accepted } };
    },
  },
  '/v1/zt-policy/device-intelligence/devices/{id}': {
    get: async (api, { deviceId }) => {
      const { data, response } = await api.GET('/v1/zt-policy/device-intelligence/devices/{id}', {
        params: { path: { id: deviceId } },
      });
      return { status: response.status, read: { managed: data?.signals.managed } };
    },
  },
  '/v1/zt-policy/device-intelligence/integrate': {
    delete: async (api) => {
      // Before the integration below: the model stays for the scoring after it.
      const { response } = await api.DELETE('/v1/zt-policy/device-intelligence/integrate');
      return { status: response.status };
    },
    post: async (api) => {
      // A model nobody serves: scoring below fails over (on_failure: deny), which it shows.
      const { data, response } = await api.POST('/v1/zt-policy/device-intelligence/integrate', {
        body: { model_url: 'http://127.0.0.1:9/score', threshold: 0.7, timeout_ms: 100, on_failure: 'deny' },
      });
      return { status: response.status, read: { on_failure: data?.on_failure } };
    },
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/device-intelligence/integrate');
      return { status: response.status, read: { model_url: data?.model_url } };
    },
  },
  '/v1/zt-policy/device-intelligence/devices/{id}/score': {
    post: async (api, { deviceId }) => {
      const { data, response } = await api.POST('/v1/zt-policy/device-intelligence/devices/{id}/score', {
        params: { path: { id: deviceId } },
      });
      const restricted: boolean | undefined = data?.restricted;
      return { status: response.status, read: { restricted } };
    },
  },
  '/.well-known/ssf-configuration': {
    get: async (api) => {
      const { data, response } = await api.GET('/.well-known/ssf-configuration');
      return { status: response.status, read: { spec_version: data?.spec_version, issuer: data?.issuer } };
    },
  },
  '/ssf/v1/jwks.json': {
    get: async (api) => {
      const { data, response } = await api.GET('/ssf/v1/jwks.json');
      return { status: response.status, read: { kty: data?.keys[0]?.kty, alg: data?.keys[0]?.alg } };
    },
  },
  '/ssf/v1/streams': {
    post: async (api, fixtures) => {
      const { data, response } = await api.POST('/ssf/v1/streams', {
        body: { delivery: { method: 'urn:ietf:rfc:8936' }, description: 'client test' },
      });
      fixtures.streamId = data?.stream_id ?? 'unknown';
      return { status: response.status, read: { method: data?.delivery.method } };
    },
    get: async (api, { streamId }) => {
      const { data, response } = await api.GET('/ssf/v1/streams', {
        params: { query: { stream_id: streamId } },
      });
      const stream = Array.isArray(data) ? data[0] : data;
      return { status: response.status, read: { aud: stream?.aud } };
    },
    patch: async (api, { streamId }) => {
      const { data, response } = await api.PATCH('/ssf/v1/streams', {
        body: { stream_id: streamId, description: 'client test, patched' },
      });
      return { status: response.status, read: { description: data?.description } };
    },
    put: async (api, { streamId }) => {
      const { data, response } = await api.PUT('/ssf/v1/streams', {
        body: { stream_id: streamId, delivery: { method: 'urn:ietf:rfc:8936' }, description: 'client test' },
      });
      return { status: response.status, read: { description: data?.description } };
    },
    // Deletes a stream made for the purpose: the operations below still use the first one.
    delete: async (api) => {
      const made = await api.POST('/ssf/v1/streams', { body: {} });
      const { response } = await api.DELETE('/ssf/v1/streams', {
        params: { query: { stream_id: made.data?.stream_id ?? 'unknown' } },
      });
      return { status: response.status };
    },
  },
  '/ssf/v1/status': {
    get: async (api, { streamId }) => {
      const { data, response } = await api.GET('/ssf/v1/status', {
        params: { query: { stream_id: streamId } },
      });
      return { status: response.status, read: { status: data?.status } };
    },
    post: async (api, { streamId }) => {
      const { data, response } = await api.POST('/ssf/v1/status', {
        body: { stream_id: streamId, status: 'enabled' },
      });
      return { status: response.status, read: { status: data?.status } };
    },
  },
  '/ssf/v1/subjects:add': {
    post: async (api, { streamId }) => {
      const { response } = await api.POST('/ssf/v1/subjects:add', {
        body: { stream_id: streamId, subject: { format: 'email', email: 'bob@company.com' } },
      });
      return { status: response.status };
    },
  },
  '/ssf/v1/subjects:remove': {
    post: async (api, { streamId }) => {
      const { response } = await api.POST('/ssf/v1/subjects:remove', {
        body: { stream_id: streamId, subject: { format: 'email', email: 'bob@company.com' } },
      });
      return { status: response.status };
    },
  },
  '/ssf/v1/verify': {
    post: async (api, { streamId }) => {
      const { response } = await api.POST('/ssf/v1/verify', {
        body: { stream_id: streamId, state: 'client' },
      });
      return { status: response.status };
    },
  },
  '/ssf/v1/poll/{stream_id}': {
    post: async (api, { streamId }) => {
      const { data, response } = await api.POST('/ssf/v1/poll/{stream_id}', {
        params: { path: { stream_id: streamId } },
        body: { returnImmediately: true, maxEvents: 10 },
      });
      return { status: response.status, read: { sets: Object.keys(data?.sets ?? {}).length } };
    },
  },
  '/v1/zt-policy/audit/events': {
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/audit/events', {
        params: { query: { limit: 5 } },
      });
      return { status: response.status, read: { types: data?.items.map((r) => r.type) } };
    },
  },
  '/v1/zt-policy/audit/decision-inputs': {
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/audit/decision-inputs', {
        params: { query: { limit: 5 } },
      });
      return { status: response.status, read: { actions: data?.items.map((r) => r.input.action) } };
    },
  },
  '/v1/zt-policy/audit/dead-letters': {
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/audit/dead-letters', {
        params: { query: { limit: 5 } },
      });
      return { status: response.status, read: { count: data?.items.length } };
    },
  },
  '/v1/zt-policy/audit/verify': {
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/audit/verify');
      return { status: response.status, read: { valid: data?.valid, records: data?.records } };
    },
  },
  '/v1/zt-policy/audit/keys': {
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/audit/keys');
      return { status: response.status, read: { kty: data?.keys[0]?.kty } };
    },
  },
  '/v1/zt-policy/audit/export': {
    get: async (api) => {
      const { data, response } = await api.GET('/v1/zt-policy/audit/export', { parseAs: 'text' });
      return { status: response.status, read: { lines: data?.trim().split('\n').length } };
    },
  },
};

/** A client of the API at `baseUrl`, calling with `token`. */
export function apiClient(baseUrl: string, token: string): Api {
  return createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${token}` } });
}

/** Every operation and its HTTP method, as `METHOD /path`, in the order they run. */
export function operationsOf(table: EveryOperation): string[] {
  return Object.entries(table).flatMap(([path, methods]) =>
    Object.keys(methods as Record<string, Call>).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** Runs every call in order; an error thrown by one (the network) is its outcome, not the end. */
export async function runEveryOperation(api: Api, fixtures: Fixtures): Promise<Record<string, Outcome>> {
  const outcomes: Record<string, Outcome> = {};
  for (const [path, methods] of Object.entries(EVERY_OPERATION)) {
    for (const [method, call] of Object.entries(methods as Record<string, Call>)) {
      try {
        outcomes[`${method.toUpperCase()} ${path}`] = await call(api, fixtures);
      } catch (error) {
        outcomes[`${method.toUpperCase()} ${path}`] = { status: 0, read: { error: String(error) } };
      }
    }
  }
  return outcomes;
}
