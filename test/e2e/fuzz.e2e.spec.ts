import { appendFileSync } from 'node:fs';
import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';
import { OpenApiDocument, Operation, operationsOf } from '../fuzz/api-operations';
import { FUZZ_POLICY } from '../fuzz/example-bodies';
import { fuzzSettings } from '../fuzz/fuzz-settings';
import { CATEGORIES, FuzzContext } from '../fuzz/fuzz-requests';
import { FuzzRunner } from '../fuzz/fuzz-runner';
import { StateProbe } from '../fuzz/state-probe';

// Issue 14 (hostile input): every route the live OpenAPI document lists, driven with valid,
// near-valid and hostile requests. `npm test` runs a few rounds from a fixed seed; `npm run fuzz`
// many from a random one (FUZZ_RUNS, FUZZ_SEED). A failure lists every failure class found, each
// with a request that shows it, and the seed that replays the run.
const settings = fuzzSettings();
// Every role a route asks for (pep: asking about subjects other than the caller), so that
// requests reach validation and the handlers.
const ALL_ROLES = ['infra_admin', 'policy_admin', 'auditor', 'pdp', 'device_agent', 'pep'];

describe('every documented route under hostile input', () => {
  let product: StandaloneUnderTest;
  let operations: Operation[];
  let context: FuzzContext;
  let runner: FuzzRunner;

  beforeAll(async () => {
    // Requests naming a min_revision far ahead answer 503 NOT_READY at once rather than after a second.
    product = await startStandaloneForTest({ MIN_REVISION_WAIT_MS: '0' });
    operations = operationsOf((await call<OpenApiDocument>(product.url, 'GET', '/openapi.json')).body);
    const fullToken = await product.issuer.mint({
      sub: 'fuzz-admin@company.com',
      roles: ALL_ROLES,
      mfa: true,
    });
    const rolelessToken = await product.issuer.mint({ sub: 'fuzz-nobody@company.com', roles: [] });
    context = {
      fullToken,
      rolelessToken,
      policyId: FUZZ_POLICY.id,
      principalId: 'fuzz-principal@company.com',
      deviceId: 'fuzz-device-1',
    };
    // Things to find: a policy, a principal and a device the id-taking routes reach.
    const v1 = '/v1/zt-policy';
    for (const [method, path, body] of [
      ['POST', `${v1}/policies`, FUZZ_POLICY],
      ['PUT', `${v1}/principals/${encodeURIComponent(context.principalId)}`, { groups: ['engineering'] }],
      [
        'POST',
        `${v1}/device-intelligence/posture`,
        { device_id: context.deviceId, signals: { managed: true } },
      ],
    ] as const) {
      const answer = await call(product.url, method, path, { token: fullToken, body });
      if (answer.status >= 300) throw new Error(`fixture ${method} ${path} answered ${answer.status}`);
    }
    const probe = new StateProbe(product.process.app, product.url, fullToken);
    const tokenNames = new Map([
      [fullToken, 'token: every role, MFA'],
      [rolelessToken, 'token: no role'],
    ]);
    const traceFile = process.env.FUZZ_TRACE;
    const trace = traceFile ? (line: string) => appendFileSync(traceFile, `${line}\n`) : undefined;
    runner = new FuzzRunner(product.url, probe, settings, tokenNames, trace);
    if (settings.randomSeed)
      console.log(`fuzz seed ${settings.seed} (FUZZ_SEED=${settings.seed} replays it)`);
    // Starting the product and its fixtures takes seconds on a loaded machine.
  }, 120_000);

  afterAll(async () => {
    await product?.stop();
  });

  it('reads every operation from the live document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
    expect(operations.filter((operation) => operation.body).length).toBeGreaterThanOrEqual(10);
  });

  for (const [name, category] of Object.entries(CATEGORIES)) {
    it(
      `holds for ${name}`,
      async () => {
        await runner.runCategory(operations, context, category);
        expect(runner.report()).toBe('');
      },
      // Generous: the per-request timeout is the hang detector; this only bounds the whole category.
      60_000 + settings.runs * 30_000,
    );
  }
});
