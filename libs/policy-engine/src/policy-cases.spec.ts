import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecisionRequest, DecisionResult, Obligation } from './model';
import { parsePolicy } from './parse';
import { PolicySet } from './policy-set';

/** A file of policy semantics as data: policies in any accepted shape and the decisions they make. */
interface CaseFile {
  description: string;
  policies: Record<string, unknown>[];
  cases: {
    name: string;
    request: DecisionRequest;
    expect: {
      decision: string;
      deciding?: string[];
      failed?: Record<string, string>;
      audit?: string[];
      candidates?: string[];
      notCandidates?: string[];
      obligations?: Obligation[];
      reasonIncludes?: string;
    };
  }[];
}

const dir = join(__dirname, '..', 'test-cases');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

/** Every evaluation path the engine has; each must give the same answers. */
const PATHS: Record<string, (set: PolicySet, request: DecisionRequest) => DecisionResult> = {
  indexed: (set, request) => set.evaluate(request),
  scan: (set, request) => set.evaluateByScan(request),
};

function load(file: CaseFile): PolicySet {
  const set = new PolicySet();
  for (const [i, document] of file.policies.entries()) {
    const parsed = parsePolicy(document);
    if (!parsed.ok) throw new Error(`policy ${i} of ${file.description}: ${JSON.stringify(parsed.errors)}`);
    set.upsert(parsed.policy);
  }
  return set;
}

describe.each(files)('policy cases in %s', (name) => {
  const file = JSON.parse(readFileSync(join(dir, name), 'utf8')) as CaseFile;
  const set = load(file);

  describe.each(Object.entries(PATHS))('evaluated %s', (_path, evaluate) => {
    it.each(file.cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
      const result = evaluate(set, testCase.request);
      const { expect: want } = testCase;
      expect(result.decision).toBe(want.decision);
      if (want.deciding) expect(result.decidingPolicies.map((p) => p.id)).toEqual(want.deciding);
      for (const [policyId, condition] of Object.entries(want.failed ?? {})) {
        expect(result.candidates.find((c) => c.id === policyId)?.failed?.condition).toBe(condition);
      }
      if (want.audit) expect(result.audit.map((a) => a.id)).toEqual(want.audit);
      if (want.candidates) expect(result.candidates.map((c) => c.id)).toEqual(want.candidates);
      for (const id of want.notCandidates ?? []) expect(result.candidates.map((c) => c.id)).not.toContain(id);
      if (want.obligations) expect(result.obligations).toEqual(want.obligations);
      if (want.reasonIncludes) expect(result.reasons.join('\n')).toContain(want.reasonIncludes);
    });
  });
});
