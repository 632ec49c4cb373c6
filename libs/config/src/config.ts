import { hostname } from 'node:os';
import { ConfigOf, env, readEnv } from './env';

/**
 * Every environment variable of the product, with its default and meaning. The README's
 * configuration table is checked against this spec by a test, so the two cannot drift.
 */
export const CONFIG_SPEC = {
  PORT: env.integer('HTTP port of the process (standalone: all four services on it).', 8080, 0, 65535),
  HOST: env.string('Address to listen on; 0.0.0.0 in containers.', '127.0.0.1'),
  LOG_LEVEL: env.oneOf(
    'Log level.',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
    'info',
  ),
  INSTANCE_ID: env.string(
    'Name of this replica in heartbeats, consumer ids and logs.',
    `${hostname()}-${process.pid}`,
    '<hostname>-<pid>',
  ),
  DATA_DIR: env.string('Standalone: folder for the embedded database and the dev issuer key.', './data'),
  DATABASE_URL: env.optionalUrl(
    'Distributed: PostgreSQL URL (required by policy-admin, audit and device-intelligence).',
  ),
  KAFKA_BROKERS: env.optionalList('Distributed: comma-separated Kafka bootstrap brokers (required).'),
  TOPIC_PREFIX: env.string(
    'Prefix added to every topic name (isolates tenants or test runs on one cluster).',
    '',
  ),
  KAFKA_PARTITIONS: env.integer(
    'Partitions of the topics the project creates (policy changes always get one).',
    3,
    1,
    1000,
  ),
  KAFKA_REPLICATION_FACTOR: env.integer('Replication factor of the topics the project creates.', 1, 1, 10),
  REDIS_URL: env.optionalUrl(
    'Distributed: Redis URL for the decision cache and rate counters (set for decision; it serves without them while Redis is down).',
  ),
  REDIS_KEY_PREFIX: env.string('Prefix of every Redis key.', 'zt:'),
  PUBLIC_BASE_URL: env.optionalUrl(
    'Public base URL of this deployment (https in production), used in metadata documents; never taken from the Host header. Default http://HOST:PORT.',
  ),
  JWKS_URL: env.optionalUrl('JWKS of the token issuer. Standalone defaults to its own dev issuer.'),
  DEV_ISSUER: env.boolean(
    'Run the development token issuer in this process (standalone: on unless JWKS_URL is set). Never in production.',
    false,
  ),
  JWT_ISSUER: env.optionalString('When set, tokens must carry exactly this `iss`.'),
  JWT_AUDIENCE: env.optionalString('When set, tokens must carry this `aud`.'),
  JWT_CLOCK_SKEW_SECONDS: env.integer('Clock skew allowed on exp and nbf.', 30, 0, 300),
  MAX_BODY_BYTES: env.integer('Largest accepted request body.', 1_048_576, 1024, 16_777_216),
  POLICY_RESTORE_WINDOW_SECONDS: env.integer(
    'How long a deleted policy can be restored (the seed: 30 minutes).',
    1800,
    1,
    604_800,
  ),
  AUDIT_CHECKPOINT_EVERY: env.integer(
    'Audit: sign a checkpoint after this many new records.',
    1000,
    1,
    10_000_000,
  ),
  AUDIT_CHECKPOINT_SECONDS: env.integer(
    'Audit: sign a checkpoint at least this often when records were added.',
    60,
    1,
    86_400,
  ),
  AUDIT_SIGNING_KEY_FILE: env.optionalString(
    'Audit: ES256 private JWK that signs checkpoints (created if missing). Default <DATA_DIR>/audit/checkpoint-key.jwk.json.',
  ),
  AUDIT_PREVIOUS_KEYS_FILE: env.optionalString(
    'Audit: JWKS file of the public keys that signed earlier checkpoints (kept after a key rotation); served at /audit/keys and trusted by /audit/verify.',
  ),
  AUDIT_URL: env.optionalUrl(
    'Policy-admin: audit service base URL, where replay reads recorded decisions (changesets:simulate). Default this process (standalone).',
  ),
  POLICY_ADMIN_URL: env.optionalUrl(
    'Distributed decision: policy-admin base URL; a new replica starts from its snapshot (else it replays the policy topic).',
  ),
  POLICY_ADMIN_TOKEN_FILE: env.optionalString(
    'Distributed decision: file holding a bearer token with role pdp for the snapshot (re-read on each use).',
  ),
  MIN_REVISION_WAIT_MS: env.integer(
    'Decision: how long a request asking for a newer policy revision waits before 503 with Retry-After.',
    1000,
    0,
    30_000,
  ),
  DECISION_CACHE_TTL_SECONDS: env.integer(
    'Decision: how long a decision is reused for the same request, revision and device state (0: no cache).',
    60,
    0,
    3600,
  ),
  RATE_LIMIT_PER_SECOND: env.integer(
    'Decision: calls per second allowed per caller (token subject) across replicas; 429 beyond (0: no limit).',
    0,
    0,
    10_000_000,
  ),
  DECISION_LOG_SAMPLE_RATE: env.number(
    'Decision: share of allow decisions sent to zt.decision.log (0 to 1); other effects are always sent.',
    1,
    0,
    1,
  ),
  DECISION_LOG_REDACT: env.list(
    'Decision: decision log fields replaced by their SHA-256 (any of subject, resource, action).',
    [],
  ),
  DECISION_LOG_INPUTS: env.boolean(
    "Decision: record each decision's whole input (the request after enrichment) in the decision log, for replay; redacted fields stay redacted.",
    true,
  ),
  DECISION_LOG_BUFFER: env.integer(
    'Decision: decision log events held for publishing at most.',
    10_000,
    1,
    10_000_000,
  ),
  DECISION_LOG_ON_FULL: env.oneOf(
    'Decision: when the log buffer is full, block the decision briefly then drop, or drop at once; drops are counted.',
    ['block', 'drop'] as const,
    'block',
  ),
  DECISION_LOG_BLOCK_MS: env.integer(
    'Decision: how long a decision waits for log buffer space when blocking.',
    50,
    1,
    10_000,
  ),
  DECISION_LOG_BATCH: env.integer('Decision: decision log events per publish.', 500, 1, 100_000),
  DECISION_LOG_FLUSH_MS: env.integer(
    'Decision: how often buffered decision log events are published.',
    50,
    1,
    60_000,
  ),
  GRPC_ENABLED: env.boolean(
    'Decision: serve gRPC (zt.decision.v1.DecisionService and Envoy ext_authz) beside HTTP.',
    true,
  ),
  GRPC_PORT: env.integer('Decision: gRPC port, on HOST (0: any free port).', 9090, 0, 65535),
  TRUSTED_PROXIES: env.list(
    'Decision: comma-separated addresses or CIDRs (IPv4, IPv6) of the gateways whose forward-auth calls are answered and whose `X-Forwarded-*` and `X-Original-*` headers are believed; others get 403.',
    ['127.0.0.0/8', '::1/128'],
  ),
  ROUTES_FILE: env.optionalString(
    'Decision: JSON route table mapping HTTP checks (ext_authz, forward-auth) to actions and resources (docs/enforcement-http.md); unset: action = method, resource = host + path.',
  ),
  EXT_AUTHZ_TRUST_PEER_PRINCIPAL: env.boolean(
    "Decision: decide an ext_authz check without a bearer token for Envoy's mTLS peer (source.principal) as a workload. Only if nothing but Envoy reaches the gRPC port.",
    false,
  ),
  ADMISSION_EVENT_LOOP_DELAY_MS: env.integer(
    'Decision (and standalone): while the event loop is this late (ms, two samples in a row) admit a shrinking share of requests, refuse the rest (503, gRPC RESOURCE_EXHAUSTED) (0: off).',
    0,
    0,
    60_000,
  ),
  ADMISSION_MAX_IN_FLIGHT: env.integer(
    'Decision (and standalone): refuse requests the same way while this many are unanswered (0: no limit).',
    1000,
    0,
    10_000_000,
  ),
  DECISION_HEARTBEAT_SECONDS: env.integer(
    'Decision: how often each replica reports its applied revision (also at once on every change).',
    5,
    1,
    300,
  ),
  MODEL_ALLOWED_HOSTS: env.optionalList(
    'Device intelligence: host names a risk model_url may point at (guards against SSRF). Set it in production.',
  ),
  MODEL_ALLOW_PRIVATE_HOSTS: env.boolean(
    'Device intelligence, distributed mode with MODEL_ALLOWED_HOSTS unset: allow model URLs on loopback, link-local, private ranges and cloud metadata names (standalone always allows them).',
    false,
  ),
  MODEL_MAX_CONCURRENCY: env.integer('Device intelligence: risk model calls in flight at most.', 8, 1, 1000),
  MODEL_MAX_QUEUE: env.integer(
    'Device intelligence: risk model calls waiting for a slot at most; beyond, on_failure applies at once.',
    32,
    0,
    100_000,
  ),
  MODEL_RETRIES: env.integer(
    'Device intelligence: retries of a failed model call, within its timeout.',
    2,
    0,
    10,
  ),
  MODEL_BREAKER_FAILURES: env.integer(
    'Device intelligence: consecutive failed model calls that open the circuit breaker.',
    5,
    1,
    1000,
  ),
  MODEL_BREAKER_HALF_OPEN_SECONDS: env.integer(
    'Device intelligence: how long an open breaker waits before trying the model again.',
    10,
    1,
    3600,
  ),
  MODEL_SCORE_CACHE_SECONDS: env.integer(
    'Device intelligence: how long a score is reused for the same device and the same features (0: never).',
    60,
    0,
    86_400,
  ),
  SSF_SIGNING_KEY_FILE: env.optionalString(
    'Device intelligence: RS256 private JWK (2048-bit RSA) that signs SSF Security Event Tokens (created if missing); share it between replicas. Default <DATA_DIR>/ssf/set-signing-key.jwk.json.',
  ),
  DEVICE_RISK_RESTRICTION: env.oneOf(
    'Decision: what a device above the risk threshold gets (the stricter of this and the policies wins).',
    ['deny', 'isolate'] as const,
    'deny',
  ),
  DEVICE_STATE_TTL_SECONDS: env.integer(
    "Decision: how long a device's last posture counts without news; a restriction holds until a newer verdict.",
    86_400,
    60,
    2_592_000,
  ),
  AUDIT_RETENTION_SECONDS: env.integer(
    'Audit: keep records this long, then remove them up to a signed checkpoint, recording the removal (0: forever).',
    0,
    0,
    3_153_600_000,
  ),
  AUDIT_RETENTION_CHECK_SECONDS: env.integer(
    'Audit: how often retention looks for records to remove.',
    3600,
    1,
    86_400,
  ),
  OUTBOX_POLL_MS: env.integer('How often the outbox relay looks for unpublished changes.', 200, 10, 60_000),
} as const;

export type AppConfig = ConfigOf<typeof CONFIG_SPEC>;

/** Reads and validates the whole configuration once, at boot; throws naming the bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  return readEnv(CONFIG_SPEC, source);
}

/** Injection token of the validated {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** How this process runs: all services in one process, or one service per process. */
export type RuntimeMode = 'standalone' | 'distributed';

/** Injection token of the {@link RuntimeMode}. */
export const RUNTIME_MODE = Symbol('RUNTIME_MODE');
