// One synthetic workload, expressed for each engine, so every engine answers the same questions.
// Policy i: members of group g(i % groups) may read/write resources "svc<i>.*" from a compliant
// device in one country; every 20th policy is a deny for that group on "svc<i>.secret*".

const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'JP'];

function groupsFor(n) {
  return Math.max(10, Math.floor(n / 10));
}

/** The workload's policies in our API shape (seed 000). */
function ztPolicies(n) {
  const groups = groupsFor(n);
  return Array.from({ length: n }, (_, i) => {
    const deny = i % 20 === 19;
    return {
      id: `p${i}`,
      name: `policy ${i}`,
      subjects: [`group:g${i % groups}`],
      resources: [deny ? `svc${i}.secret*` : `svc${i}.*`],
      actions: ['read', 'write'],
      conditions: { device_posture: 'compliant', location: COUNTRIES[i % COUNTRIES.length] },
      effect: deny ? 'deny' : 'allow',
    };
  });
}

/** The same policies in Cedar. */
function cedarPolicies(n) {
  return ztPolicies(n)
    .map((p, i) => {
      const effect = p.effect === 'allow' ? 'permit' : 'forbid';
      const group = p.subjects[0].slice('group:'.length);
      return (
        `@id("p${i}") ${effect}(principal in Group::"${group}", action in [Action::"read", Action::"write"], resource) ` +
        `when { resource.rid like "${p.resources[0]}" && context.posture == "compliant" && context.country == "${p.conditions.location}" };`
      );
    })
    .join('\n');
}

/** The same policies as Casbin rules (one per action), with group membership as role links. */
function casbinRules(n) {
  return ztPolicies(n).flatMap((p) =>
    p.actions.map((act) => [
      p.subjects[0].slice('group:'.length),
      p.resources[0],
      act,
      'compliant',
      p.conditions.location,
      p.effect,
    ]),
  );
}

const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act, posture, country
[policy_definition]
p = sub, obj, act, posture, country, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && keyMatch(r.obj, p.obj) && r.act == p.act && r.posture == p.posture && r.country == p.country
`;

/** A deterministic pseudo-random generator (LCG), so every run asks the same questions. */
function lcg(seed) {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/**
 * Policy indexes drawn with a Zipf (s = 1) popularity: the policy of rank r is asked about in
 * proportion to 1 / r, as a few applications take most of a company's traffic. Ranks are mapped
 * to policies through a fixed shuffle, so the popular policies are spread over the whole set
 * (and over the heap) rather than being the first ones loaded.
 */
function zipfIndexes(n, count, random) {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) cdf[r] = total += 1 / (r + 1);
  const shuffled = Array.from({ length: n }, (_, i) => i);
  const shuffle = lcg(7);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return Array.from({ length: count }, () => {
    const u = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return shuffled[lo];
  });
}

/**
 * Requests that hit a policy (allow or deny) and some that miss, deterministically: each policy
 * equally likely (`uniform`), or with a Zipf popularity (`zipf`).
 */
function requests(n, count = 2000, distribution = 'uniform') {
  const groups = groupsFor(n);
  const random = lcg(42);
  const indexes =
    distribution === 'zipf'
      ? zipfIndexes(n, count, random)
      : Array.from({ length: count }, () => Math.floor(random() * n));
  return indexes.map((i, k) => {
    const miss = k % 10 === 0;
    return {
      user: `u${k}`,
      group: `g${miss ? (i + 1) % groups : i % groups}`,
      action: k % 2 ? 'read' : 'write',
      resource: i % 20 === 19 ? `svc${i}.secret-data` : `svc${i}.data`,
      posture: 'compliant',
      country: COUNTRIES[i % COUNTRIES.length],
    };
  });
}

module.exports = { ztPolicies, cedarPolicies, casbinRules, CASBIN_MODEL, requests };
