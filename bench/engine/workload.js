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

/** Requests that hit a policy (allow or deny) and some that miss, deterministically. */
function requests(n, count = 2000) {
  const groups = groupsFor(n);
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, (_, k) => {
    const i = Math.floor(random() * n);
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
