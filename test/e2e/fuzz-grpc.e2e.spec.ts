import { appendFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { DecisionGrpcServer } from '../../apps/decision/src/grpc/decision-grpc.server';
import { decisionProtos } from '../support/grpc-clients';
import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';
import { fuzzSettings } from '../fuzz/fuzz-settings';
import { Violation } from '../fuzz/answer-checks';
import { FailureClasses } from '../fuzz/fuzz-runner';
import { checkCases, checkRefusal } from '../fuzz/grpc-check-calls';
import { decideCases } from '../fuzz/grpc-decide-calls';
import { GrpcCase, GrpcFuzzContext, refusedInput } from '../fuzz/grpc-values';

// The gRPC side of issue 14 (hostile input): Decide and Envoy's Check driven with valid,
// near-valid and hostile messages, raw bytes protobuf cannot decode included. `npm test` runs a
// few rounds from a fixed seed; `npm run fuzz` many from a random one (FUZZ_RUNS, FUZZ_SEED). A
// failure lists every failure class found, each with a call that shows it, and the seed.
const settings = fuzzSettings();
// Each run of the settings is this many rounds; a round sends one call of every kind.
const ROUNDS_PER_RUN = 8;
const traceFile = process.env.FUZZ_TRACE;
/** Notes each call, its answer and its time (FUZZ_TRACE names the file), for tuning. */
const trace = traceFile ? (line: string) => appendFileSync(traceFile, `${line}\n`) : undefined;

const methods = decisionProtos() as unknown as Record<
  string,
  Record<string, grpc.MethodDefinition<unknown, unknown>>
>;
const DEFINITIONS = {
  Decide: methods['zt.decision.v1.DecisionService'].Decide,
  Check: methods['envoy.service.auth.v3.Authorization'].Check,
};

// What docs/api.md lets each method answer; INTERNAL and UNKNOWN never.
const DECIDE_CODES = new Set([
  grpc.status.OK,
  grpc.status.INVALID_ARGUMENT,
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.UNAVAILABLE,
]);
const DECISIONS = new Set(['allow', 'deny', 'require_mfa', 'isolate']);

interface Answer {
  code: grpc.status;
  details: string;
  response?: Record<string, unknown>;
}

type CheckResponse = {
  status?: { code: number };
  ok_response?: unknown;
  denied_response?: { status?: { code: string } };
};

/** A case's bytes: the message as the .proto encodes it, with its raw bytes after it or in place of their placeholder. */
function encoded(fuzzCase: GrpcCase): Buffer {
  const message = DEFINITIONS[fuzzCase.method].requestSerialize(fuzzCase.message);
  const { raw } = fuzzCase;
  if (!raw) return message;
  if (raw.placeholder === undefined) return Buffer.concat([message, raw.bytes]);
  const at = message.indexOf(raw.placeholder);
  if (at < 0 || Buffer.byteLength(raw.placeholder) !== raw.bytes.length)
    throw new Error(`placeholder ${raw.placeholder} not found, or not as long as its bytes`);
  return Buffer.concat([message.subarray(0, at), raw.bytes, message.subarray(at + raw.bytes.length)]);
}

/** Sends a case's bytes as they are, with a deadline as the hang detector; never rejects. */
function send(client: grpc.Client, fuzzCase: GrpcCase): Promise<Answer> {
  const definition = DEFINITIONS[fuzzCase.method];
  const bytes = encoded(fuzzCase);
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(fuzzCase.metadata)) metadata.set(key, value);
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      definition.path,
      (b: Buffer) => b,
      (b: Buffer) => definition.responseDeserialize(b) as Record<string, unknown>,
      bytes,
      metadata,
      { deadline: Date.now() + settings.requestTimeoutMs },
      (error, response) =>
        resolve(
          error
            ? { code: error.code, details: error.details }
            : { code: grpc.status.OK, details: '', response },
        ),
    ),
  );
}

/** What the answer says beyond its gRPC status: the decision, or Check's own status and HTTP code. */
function statusOf(answer: Answer): string {
  const response = answer.response as (CheckResponse & { decision?: string }) | undefined;
  if (response?.decision) return response.decision;
  if (!response?.status) return '';
  return `${grpc.status[response.status.code]} ${response.denied_response?.status?.code ?? ''}`;
}

/** The minimum revision a Decide asks for, as the number the product will read. */
function askedRevision(fuzzCase: GrpcCase): number | undefined {
  const header = fuzzCase.metadata['zt-min-revision'];
  if (header !== undefined) return /^\d{1,15}$/.test(header) ? Number(header) : undefined;
  const body = Number(fuzzCase.message.min_revision ?? 0);
  return body > 0 ? body : undefined;
}

/** The violations every answer can show: a status never allowed, or no answer in time. */
function statusViolations(answer: Answer): Violation[] {
  if (answer.code === grpc.status.DEADLINE_EXCEEDED)
    return [{ check: `no answer within ${settings.requestTimeoutMs} ms`, detail: answer.details }];
  if (answer.code === grpc.status.INTERNAL || answer.code === grpc.status.UNKNOWN)
    return [{ check: `status ${grpc.status[answer.code]}`, detail: answer.details }];
  return [];
}

/** What is wrong with a Decide answer. */
function decideViolations(fuzzCase: GrpcCase, answer: Answer): Violation[] {
  const violations = statusViolations(answer);
  const status = grpc.status[answer.code];
  if (violations.length === 0 && !DECIDE_CODES.has(answer.code))
    violations.push({ check: `undocumented status ${status}`, detail: answer.details });
  const refused =
    fuzzCase.refused ?? refusedInput({ message: fuzzCase.message, metadata: fuzzCase.metadata });
  if (
    refused &&
    answer.code !== grpc.status.INVALID_ARGUMENT &&
    answer.code !== grpc.status.DEADLINE_EXCEEDED
  )
    violations.push({ check: `${status} for input the rule refuses`, detail: refused });
  if (answer.code === grpc.status.OK && !DECISIONS.has(String(answer.response?.decision)))
    violations.push({ check: 'OK without a decision', detail: JSON.stringify(answer.response) });
  if (answer.code === grpc.status.INVALID_ARGUMENT && !/ \/|the request message/.test(answer.details))
    violations.push({ check: 'INVALID_ARGUMENT naming no field', detail: answer.details });
  // As over HTTP: a revision past 2^53 cannot be compared exactly and must be refused, not waited for.
  const revision = askedRevision(fuzzCase);
  if (answer.code === grpc.status.UNAVAILABLE && !Number.isSafeInteger(revision))
    violations.push({ check: 'UNAVAILABLE for a min_revision past 2^53', detail: answer.details });
  return violations;
}

/** What is wrong with a Check answer. */
function checkViolations(fuzzCase: GrpcCase, answer: Answer, ourTokens: string[]): Violation[] {
  const violations = statusViolations(answer);
  const refused = fuzzCase.refused ?? checkRefusal(fuzzCase.message);
  if (answer.code !== grpc.status.OK) {
    if (refused && violations.length === 0)
      violations.push({
        check: `refused input answered ${grpc.status[answer.code]}, not a 400 denial`,
        detail: refused,
      });
    return violations;
  }
  const response = answer.response as CheckResponse;
  const allowed = response.status?.code === grpc.status.OK;
  const denial = response.denied_response?.status?.code;
  if (refused && allowed) violations.push({ check: 'allowed input the rule refuses', detail: refused });
  else if (refused && (response.status?.code !== grpc.status.INVALID_ARGUMENT || denial !== 'BadRequest'))
    violations.push({ check: 'refused input not denied with 400', detail: `${denial}: ${refused}` });
  // The token as `headers` or `header_map` carries it.
  const authorization = JSON.stringify(fuzzCase.message).match(
    /"(?:authorization"|key":"authorization","value"):"Bearer ([^"]*)"/,
  )?.[1];
  if (allowed && !ourTokens.includes(authorization ?? ''))
    violations.push({ check: 'allowed without a valid token', detail: String(authorization) });
  return violations;
}

/** A call as a reader can resend it: method, metadata (tokens by name), message (long text shortened), raw bytes. */
function reproduction(fuzzCase: GrpcCase, tokenNames: Map<string, string>): string {
  const named = (text: string) => {
    for (const [token, name] of tokenNames) text = text.split(token).join(`<${name}>`);
    return text;
  };
  // JSON with non-finite numbers shown, tokens by name, and runs of one character counted.
  const shown = (value: unknown) =>
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return `<number ${v}>`;
      return typeof v === 'string' ? named(v) : v;
    }).replace(/(.)\1{15,}/gsu, (run, unit: string) => `<${unit} × ${[...run].length}>`);
  const lines = [
    `  ${DEFINITIONS[fuzzCase.method].path}`,
    `  metadata: ${shown(fuzzCase.metadata)}`,
    `  message: ${shown(fuzzCase.message).slice(0, 2_000)}`,
  ];
  if (fuzzCase.raw) {
    const { bytes, shown: what, placeholder } = fuzzCase.raw;
    lines.push(
      `  ${placeholder ? `with ${JSON.stringify(placeholder)} as` : 'then'} raw bytes (${what}, ${bytes.length} bytes): ${bytes.subarray(0, 48).toString('hex')}${bytes.length > 48 ? '…' : ''}`,
    );
  }
  return lines.join('\n');
}

describe('gRPC Decide and Check under hostile input', () => {
  let product: StandaloneUnderTest;
  let client: grpc.Client;
  let context: GrpcFuzzContext;
  let tokenNames: Map<string, string>;
  const failures = new FailureClasses();
  const hung = new Set<string>();

  beforeAll(async () => {
    // A min_revision far ahead answers UNAVAILABLE at once rather than after a second.
    product = await startStandaloneForTest({ MIN_REVISION_WAIT_MS: '0' });
    client = new grpc.Client(
      `127.0.0.1:${product.process.app.get(DecisionGrpcServer).port}`,
      grpc.credentials.createInsecure(),
    );
    const admin = await product.issuer.mint({ sub: 'fuzz-admin@company.com', roles: ['policy_admin'] });
    for (const [id, resources, effect] of [
      ['pol_read', ['gitlab.company.com/*'], 'allow'],
      ['pol_sandbox', ['downloads.company.com/*'], 'isolate'],
    ] as const) {
      const policy = { id, name: id, subjects: ['group:engineering'], resources, actions: ['GET'], effect };
      const answer = await call(product.url, 'POST', '/v1/zt-policy/policies', {
        token: admin,
        body: policy,
      });
      if (answer.status >= 300) throw new Error(`fixture policy ${id} answered ${answer.status}`);
    }
    context = {
      pepToken: await product.issuer.mint({
        sub: 'fuzz-pep@company.com',
        roles: ['pep'],
        groups: ['engineering'],
        mfa: true,
      }),
      plainToken: await product.issuer.mint({ sub: 'alice@company.com', roles: [], groups: ['engineering'] }),
    };
    tokenNames = new Map([
      [context.pepToken, 'token: pep, engineering, MFA'],
      [context.plainToken, 'token: alice, engineering'],
    ]);
    // The policies are applied once an allowed request is allowed.
    const allowed: GrpcCase = {
      method: 'Decide',
      kind: 'fixture',
      message: { action: 'GET', resource: { id: 'gitlab.company.com/x' } },
      metadata: { authorization: `Bearer ${context.plainToken}` },
    };
    for (let tries = 0; (await send(client, allowed)).response?.decision !== 'allow'; tries++) {
      if (tries > 50) throw new Error('the fixture policies were never applied');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (settings.randomSeed)
      console.log(`fuzz seed ${settings.seed} (FUZZ_SEED=${settings.seed} replays it)`);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await product?.stop();
  });

  async function checkHealthy(last: GrpcCase): Promise<void> {
    const health = await fetch(`${product.url}/healthz`, {
      signal: AbortSignal.timeout(settings.requestTimeoutMs),
    }).then(
      (response) => String(response.status),
      (error: unknown) => String(error),
    );
    if (health !== '200')
      failures.add(
        `unhealthy after a round`,
        last.method,
        () => `  /healthz ${health} after\n${reproduction(last, tokenNames)}`,
      );
  }

  async function runRounds(cases: Record<string, fc.Arbitrary<GrpcCase>>): Promise<void> {
    const ourTokens = [context.pepToken, context.plainToken];
    await fc.assert(
      fc.asyncProperty(fc.tuple(...Object.values(cases)), async (round) => {
        for (const fuzzCase of round) {
          // One hang per kind is enough to report; more would only multiply the run time.
          if (hung.has(`${fuzzCase.method} ${fuzzCase.kind}`)) continue;
          const started = Date.now();
          const answer = await send(client, fuzzCase);
          trace?.(
            `${fuzzCase.method} ${fuzzCase.kind}: ${grpc.status[answer.code]} ${statusOf(answer)} ${Date.now() - started}ms`,
          );
          const violations =
            fuzzCase.method === 'Decide'
              ? decideViolations(fuzzCase, answer)
              : checkViolations(fuzzCase, answer, ourTokens);
          if (answer.code === grpc.status.DEADLINE_EXCEEDED) hung.add(`${fuzzCase.method} ${fuzzCase.kind}`);
          for (const violation of violations)
            failures.add(`${violation.check} on ${fuzzCase.kind}`, fuzzCase.method, () =>
              [
                `  ${violation.detail.slice(0, 300)}`,
                `  -> ${grpc.status[answer.code]} ${JSON.stringify(answer.details.slice(0, 300))}`,
                reproduction(fuzzCase, tokenNames),
              ].join('\n'),
            );
        }
        await checkHealthy(round[round.length - 1]);
      }),
      { seed: settings.seed, numRuns: settings.runs * ROUNDS_PER_RUN, endOnFailure: true },
    );
  }

  // Generous: the per-call deadline is the hang detector; this only bounds the whole method.
  const timeout = 60_000 + settings.runs * 20_000;

  it(
    'Decide answers a decision or a documented error, never INTERNAL, and refuses what the input rule refuses',
    async () => {
      await runRounds(decideCases(context));
      expect(failures.report(settings)).toBe('');
    },
    timeout,
  );

  it(
    'Check never allows what the input rule refuses, nor without a valid token, and never answers INTERNAL',
    async () => {
      await runRounds(checkCases(context));
      expect(failures.report(settings)).toBe('');
    },
    timeout,
  );
});
