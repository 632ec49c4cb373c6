// AuthZEN search benchmark (`npm run bench -- search`): the search service of the decision
// replica, in process (no HTTP), over directories of BENCH_SEARCH_ENTRIES (100,000) subjects and
// as many resources. Every figure is compared with baselines measured in the same run: one
// evaluation on the same path, and a naive scan that evaluates every directory entry.
const { performance } = require('node:perf_hooks');
const path = require('node:path');

const dist = (...parts) => require(path.join(__dirname, '..', '..', 'dist', ...parts));
const { PolicyState } = dist('apps', 'decision', 'src', 'policy-state', 'policy-state.js');
const { DeviceStateStore } = dist('apps', 'decision', 'src', 'device-state', 'device-state.store.js');
const { RateLimiter } = dist('apps', 'decision', 'src', 'decisions', 'rate-limiter.js');
const { SearchEvaluator } = dist('apps', 'decision', 'src', 'authzen', 'authzen-search.evaluator.js');
const { AuthzenSearchService, SEARCH_MAX_CANDIDATES } = dist(
  'apps',
  'decision',
  'src',
  'authzen',
  'authzen-search.service.js',
);
const { toDecisionBody } = dist('apps', 'decision', 'src', 'authzen', 'authzen.mapping.js');
const { MemoryCache } = dist('libs', 'cache', 'src', 'index.js');
const { Registry } = require('prom-client');

const ENTRIES = Number(process.env.BENCH_SEARCH_ENTRIES ?? 100_000);
// 100 members and 100 documents per team: a team is a thousandth of each directory.
const TEAMS = Math.max(1, Math.round(ENTRIES / 100));
const pad = (n, width) => String(n).padStart(width, '0');
const userId = (i) => `u${pad(i, 6)}`;
const team = (i) => `team-${pad(i % TEAMS, 4)}`;
const docId = (i) => `${team(i)}/doc-${pad(i, 6)}`;

const config = {
  RATE_LIMIT_PER_SECOND: 0,
  MIN_REVISION_WAIT_MS: 0,
  DEVICE_RISK_RESTRICTION: 'deny',
  DEVICE_STATE_TTL_SECONDS: 3600,
};
const pep = {
  sub: 'gateway',
  roles: ['pep'],
  groups: [],
  amr: ['pwd'],
  mfa: false,
  expiresAt: 0,
  claims: {},
};

/** The replica's state: one allow policy per team on its documents, owners may delete, one deny. */
function buildState() {
  const state = new PolicyState();
  let revision = 0;
  const policy = (document) =>
    state.apply({ policyId: document.id, revision: ++revision, version: 1, format: 'zt', document });
  for (let t = 0; t < TEAMS; t++) {
    const name = team(t);
    policy({
      id: `team-${pad(t, 4)}`,
      name,
      subjects: [`role:${name}`],
      resources: [`${name}/*`],
      actions: ['read', 'write'],
      effect: 'allow',
    });
  }
  policy({
    id: 'owners-delete',
    name: 'owners delete',
    subjects: ['*'],
    resources: ['*'],
    actions: ['delete'],
    conditions: { expression: 'resource.properties.owner == subject.id' },
    effect: 'allow',
  });
  policy({
    id: 'no-writes-off-site',
    name: 'no writes from outside',
    subjects: ['*'],
    resources: ['*'],
    actions: ['write'],
    conditions: { require_vpn: true },
    effect: 'deny',
  });
  const started = performance.now();
  for (let i = 0; i < ENTRIES; i++) {
    const id = userId(i);
    state.applyPrincipal({
      principalId: id,
      revision: ++revision,
      principal: { id, type: 'user', roles: [team(i)], groups: [], attributes: { department: `d${i % 50}` } },
    });
    state.applyResource({
      resourceType: 'doc',
      resourceId: docId(i),
      revision: ++revision,
      resource: { type: 'doc', id: docId(i), properties: { owner: userId((i * 7) % ENTRIES) } },
    });
  }
  return { state, loadMs: performance.now() - started, bump: () => ++revision };
}

/** Median and p99 of an async call, in ms, after a warm-up; at least `runs` calls and `minMs`. */
async function time(fn, { runs = 30, minMs = 500, maxMs = 20_000 } = {}) {
  for (let i = 0; i < 3; i++) await fn(i);
  const samples = [];
  const start = performance.now();
  for (let i = 0; ; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
    const elapsed = performance.now() - start;
    if ((samples.length >= runs && elapsed >= minMs) || elapsed >= maxMs) break;
  }
  samples.sort((a, b) => a - b);
  const at = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { runs: samples.length, p50ms: at(0.5), p99ms: at(0.99) };
}

async function runSearchBench() {
  const { state, loadMs, bump } = buildState();
  const devices = new DeviceStateStore(config);
  devices.markLoaded();
  const evaluator = new SearchEvaluator(state, devices, config);
  const limiter = new RateLimiter(new MemoryCache(), config, new Registry());
  const service = new AuthzenSearchService(state, evaluator, limiter, config, new Registry());
  const now = new Date();
  const pick = (i) => (i * 7919) % ENTRIES;

  // The unit: one candidate decided on the evaluation path (facts, directories, engine).
  const single = await time(
    (i) =>
      evaluator.decide(
        toDecisionBody({
          subject: { type: 'user', id: userId(pick(i)) },
          action: { name: 'read' },
          resource: { type: 'doc', id: docId(pick(i)) },
        }),
        pep,
        now,
      ),
    { runs: 20_000, minMs: 1000 },
  );

  const resourceSearch = (i, action = 'read', page) =>
    service.search(
      'resource',
      {
        subject: { type: 'user', id: userId(pick(i)) },
        action: { name: action },
        resource: { type: 'doc' },
        ...(page ? { page } : {}),
      },
      pep,
    );
  const subjectSearch = (i) =>
    service.search(
      'subject',
      { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'doc', id: docId(pick(i)) } },
      pep,
    );
  const actionSearch = (i) =>
    service.search(
      'action',
      { subject: { type: 'user', id: userId(pick(i)) }, resource: { type: 'doc', id: docId(pick(i)) } },
      pep,
    );

  // First search after loading: the sorted directory indexes are built once.
  const t0 = performance.now();
  await resourceSearch(0);
  await subjectSearch(0);
  const firstSearchMs = performance.now() - t0;

  const sample = {
    resource: await resourceSearch(1),
    subject: await subjectSearch(1),
    action: await actionSearch(1),
    scanPage: await resourceSearch(1, 'delete'),
  };
  const indexed = {
    resource: await time((i) => resourceSearch(i)),
    subject: await time((i) => subjectSearch(i)),
    action: await time((i) => actionSearch(i), { runs: 2000, minMs: 1000 }),
    // No index can narrow `owner == subject.id` over `*`: a page walks its candidate budget.
    scanPage: await time((i) => resourceSearch(i, 'delete'), { runs: 10, minMs: 1000 }),
  };

  // Baselines without the index: every directory entry evaluated.
  const docs = [...state.resources.values()].filter((r) => r.type === 'doc');
  const users = [...state.directory.values()].filter((p) => p.type === 'user');
  const naiveResources = (i) =>
    docs.filter(
      (d) =>
        evaluator.decide(
          toDecisionBody({
            subject: { type: 'user', id: userId(pick(i)) },
            action: { name: 'read' },
            resource: { type: 'doc', id: d.id },
          }),
          pep,
          now,
        ) === 'allow',
    );
  const naiveSubjects = (i) =>
    users.filter(
      (u) =>
        evaluator.decide(
          toDecisionBody({
            subject: { type: 'user', id: u.id },
            action: { name: 'read' },
            resource: { type: 'doc', id: docId(pick(i)) },
          }),
          pep,
          now,
        ) === 'allow',
    );
  const naiveCheck = { resource: naiveResources(1).length, subject: naiveSubjects(1).length };
  const naive = {
    resource: await time(naiveResources, { runs: 3, minMs: 0 }),
    subject: await time(naiveSubjects, { runs: 3, minMs: 0 }),
  };

  // A directory write: the next search finds the changed entry (one pass) and moves it in its lists.
  const rebuild = await time(
    async (i) => {
      const id = userId(pick(i));
      state.applyPrincipal({
        principalId: id,
        revision: bump(),
        principal: { id, type: 'user', roles: [team(pick(i))], groups: [], attributes: { touched: i } },
      });
      await subjectSearch(i);
    },
    { runs: 5, minMs: 0 },
  );

  return {
    entries: ENTRIES,
    policies: state.policies.size,
    candidateBudget: SEARCH_MAX_CANDIDATES,
    loadMs,
    firstSearchMs,
    evaluated: Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, v.context.evaluated])),
    results: Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, v.results.length])),
    naiveResults: naiveCheck,
    single,
    indexed,
    naive,
    rebuild,
  };
}

const fmt = (n, digits = 2) =>
  n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? Math.min(1, digits) : digits);

function searchReport(r, meta) {
  const unit = r.single.p50ms;
  const row = (what, m, evaluated, results) =>
    `| ${what} | ${evaluated.toLocaleString('en-US')} | ${results} | ${fmt(m.p50ms, 3)} | ${fmt(m.p99ms, 3)} | ${fmt(m.p50ms / unit, 0)}× |`;
  return [
    `Search run: ${meta.date}, ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}; in process (no HTTP), ${r.entries.toLocaleString('en-US')} subjects and ${r.entries.toLocaleString('en-US')} resources, ${r.policies.toLocaleString('en-US')} policies; candidate budget ${r.candidateBudget} per page.`,
    '',
    '| query | candidates evaluated | results | p50 ms | p99 ms | ÷ one evaluation (p50) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| one evaluation (the unit) | 1 | – | ${fmt(r.single.p50ms, 4)} | ${fmt(r.single.p99ms, 4)} | 1× |`,
    row(
      'resource search, indexed: which docs may u… read',
      r.indexed.resource,
      r.evaluated.resource,
      r.results.resource,
    ),
    row(
      'subject search, indexed: who may read doc …',
      r.indexed.subject,
      r.evaluated.subject,
      r.results.subject,
    ),
    row('action search: what may u… do on doc …', r.indexed.action, r.evaluated.action, r.results.action),
    row(
      'resource search, no narrowing (`*` + CEL owner), one page',
      r.indexed.scanPage,
      r.evaluated.scanPage,
      r.results.scanPage,
    ),
    row('resource search, naive scan of every doc', r.naive.resource, r.entries, r.naiveResults.resource),
    row('subject search, naive scan of every user', r.naive.subject, r.entries, r.naiveResults.subject),
    '',
    `Indexed ÷ naive: resource search ${fmt(r.naive.resource.p50ms / r.indexed.resource.p50ms, 0)}× faster, subject search ${fmt(r.naive.subject.p50ms / r.indexed.subject.p50ms, 0)}× faster. ` +
      `First search after loading (builds the sorted directory indexes): ${fmt(r.firstSearchMs)} ms; a search after one directory write (one pass over the directory finds the changed entry, moved in its sorted lists): p50 ${fmt(r.rebuild.p50ms)} ms. Loading the directories into the replica: ${fmt(r.loadMs)} ms.`,
  ].join('\n');
}

module.exports = { runSearchBench, searchReport };

if (require.main === module) {
  runSearchBench()
    .then((r) =>
      process.stdout.write(
        `${searchReport(r, { date: new Date().toISOString().slice(0, 10), cpus: require('node:os').cpus().length, cpuModel: require('node:os').cpus()[0]?.model, node: process.version })}\n`,
      ),
    )
    .catch((error) => {
      process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    });
}
