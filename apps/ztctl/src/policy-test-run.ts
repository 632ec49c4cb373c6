import type { DirectoryPrincipal } from '@zt/contracts';
// The decision service joins the principal directory to a request this way; tests do the same.
import { CanonicalPolicy, DecisionResult, PolicySet, withDirectoryFacts } from '@zt/policy-engine';
import type { PolicyRepository } from './policy-repo';
import type { CaseExpectation, TestCase } from './policy-test-file';

/** The outcome of one case. */
export interface CaseOutcome {
  file: string;
  name: string;
  line?: number;
  passed: boolean;
  /** What did not match, one line each; empty when the case passed. */
  failures: string[];
  decision: DecisionResult['decision'];
  deciding: string[];
}

/** One condition of a policy, and whether some test saw it hold and some test saw it fail. */
export interface ConditionCoverage {
  policy: string;
  index: number;
  kind: string;
  held: boolean;
  failed: boolean;
}

/** What the tests exercised: policies that no case reached, and conditions never held or never failed. */
export interface Coverage {
  policies: { total: number; exercised: number; unexercised: string[] };
  conditions: { total: number; exercised: number; details: ConditionCoverage[] };
}

export interface TestRun {
  cases: CaseOutcome[];
  passed: number;
  failed: number;
  coverage: Coverage;
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

/** Whether `actual` has every member of `expected` with an equal value (JSON equality). */
function includesMembers(actual: object, expected: Record<string, unknown>): boolean {
  const record = actual as Record<string, unknown>;
  return Object.entries(expected).every(([k, v]) => JSON.stringify(record[k]) === JSON.stringify(v));
}

/** The mismatches between a decision and a case's expectation. */
export function mismatches(result: DecisionResult, want: CaseExpectation): string[] {
  const failures: string[] = [];
  const deciding = result.decidingPolicies.map((p) => p.id);
  if (result.decision !== want.decision)
    failures.push(
      `decision: expected ${want.decision}, got ${result.decision} (${result.reasons.join('; ')})`,
    );
  if (want.deciding && !sameSet(deciding, want.deciding))
    failures.push(`deciding policies: expected [${want.deciding.join(', ')}], got [${deciding.join(', ')}]`);
  for (const text of want.reasons ?? []) {
    if (!result.reasons.some((r) => r.includes(text)))
      failures.push(`reasons: none contains "${text}" (got: ${result.reasons.join('; ')})`);
  }
  for (const obligation of want.obligations ?? []) {
    if (!result.obligations.some((o) => includesMembers(o, obligation)))
      failures.push(
        `obligations: none matches ${JSON.stringify(obligation)} (got ${JSON.stringify(result.obligations)})`,
      );
  }
  return failures;
}

/** Counts, per policy and condition, what each decision showed: held, failed or not reached. */
class CoverageTracker {
  private readonly reached = new Set<string>();
  private readonly conditions = new Map<string, ConditionCoverage[]>();
  /** The attribute name of each `attribute` condition, by policy and index. */
  private readonly names = new Map<string, (string | undefined)[]>();

  constructor(private readonly policies: CanonicalPolicy[]) {
    for (const p of policies) {
      this.conditions.set(
        p.id,
        p.conditions.map((c, index) => ({ policy: p.id, index, kind: c.kind, held: false, failed: false })),
      );
      this.names.set(
        p.id,
        p.conditions.map((c) => (c.kind === 'attribute' ? c.name : undefined)),
      );
    }
  }

  /**
   * Records one decision. The engine checks a policy's conditions in order and names the kind of
   * the first that failed: the ones before it held; the first of that kind failed (of several
   * attribute conditions, the one whose name the explanation starts with).
   */
  record(result: DecisionResult): void {
    for (const candidate of result.candidates) {
      this.reached.add(candidate.id);
      const conditions = this.conditions.get(candidate.id) ?? [];
      const names = this.names.get(candidate.id) ?? [];
      const failed = candidate.failed;
      const failedAt = !failed
        ? conditions.length
        : conditions.findIndex(
            (c, i) =>
              c.kind === failed.condition &&
              (c.kind !== 'attribute' || failed.admin.startsWith(`${names[i]} is `)),
          );
      conditions.forEach((c, i) => {
        if (i < failedAt) c.held = true;
        if (i === failedAt) c.failed = true;
      });
    }
  }

  report(): Coverage {
    const details = [...this.conditions.values()].flat();
    return {
      policies: {
        total: this.policies.length,
        exercised: this.policies.filter((p) => this.reached.has(p.id)).length,
        unexercised: this.policies.filter((p) => !this.reached.has(p.id)).map((p) => p.id),
      },
      conditions: {
        total: details.length,
        exercised: details.filter((c) => c.held && c.failed).length,
        details,
      },
    };
  }
}

/**
 * Runs every case of the repository's test files on the policy engine, with the repository's
 * principals joined to each request as the decision service joins its directory.
 */
export function runTests(repository: PolicyRepository): TestRun {
  const policies = repository.policies.map((p) => p.policy);
  const directory = new Map<string, DirectoryPrincipal>(
    (repository.principals ?? []).map((p) => [p.principal.id, p.principal]),
  );
  // One set per clock: a case that fixes `now` gets a set whose engine reads that time.
  const sets = new Map<string, PolicySet>();
  const setAt = (now: string | undefined): PolicySet => {
    const key = now ?? '';
    let set = sets.get(key);
    if (!set) {
      const at = now ? new Date(now) : undefined;
      set = new PolicySet(at ? { now: () => at } : {});
      for (const p of policies) set.upsert(p);
      sets.set(key, set);
    }
    return set;
  };
  const coverage = new CoverageTracker(policies);
  const cases: CaseOutcome[] = [];
  for (const file of repository.tests) {
    for (const testCase of file.cases) cases.push(runCase(file.file, testCase, setAt, directory, coverage));
  }
  const failed = cases.filter((c) => !c.passed).length;
  return { cases, passed: cases.length - failed, failed, coverage: coverage.report() };
}

function runCase(
  file: string,
  testCase: TestCase,
  setAt: (now: string | undefined) => PolicySet,
  directory: ReadonlyMap<string, DirectoryPrincipal>,
  coverage: CoverageTracker,
): CaseOutcome {
  const request = withDirectoryFacts(testCase.request, directory);
  const result = setAt(testCase.now).evaluate(request);
  coverage.record(result);
  const failures = mismatches(result, testCase.expect);
  return {
    file,
    name: testCase.name,
    ...(testCase.line ? { line: testCase.line } : {}),
    passed: failures.length === 0,
    failures,
    decision: result.decision,
    deciding: result.decidingPolicies.map((p) => p.id),
  };
}
