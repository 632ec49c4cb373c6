import { compilePolicy, CompiledPolicy, targets } from './compiled-policy';
import { decide } from './decide';
import type { CanonicalPolicy, DecisionRequest, DecisionResult, EngineOptions } from './model';
import { PolicyIndex } from './policy-index';
import { SearchQuery, SearchTarget, searchTargetOf } from './search-targets';
import { Vocabulary } from './vocabulary';

const byId = (a: CompiledPolicy, b: CompiledPolicy) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The active policy set, compiled once per policy and indexed, so evaluation cost grows with the
 * number of policies that can match a request rather than with the size of the set. Upsert and
 * remove are incremental. Deterministic: candidates are evaluated in id order.
 */
export class PolicySet {
  private readonly compiled = new Map<string, CompiledPolicy>();
  private readonly index = new PolicyIndex();
  private readonly vocabulary = new Vocabulary();
  private readonly now: () => Date;

  constructor(readonly options: EngineOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  get size(): number {
    return this.compiled.size;
  }

  get(id: string): CanonicalPolicy | undefined {
    return this.compiled.get(id)?.policy;
  }

  /** Every policy, in id order. */
  all(): CanonicalPolicy[] {
    return [...this.compiled.values()].sort(byId).map((c) => c.policy);
  }

  /** Adds or replaces a policy. */
  upsert(policy: CanonicalPolicy): void {
    this.remove(policy.id);
    const compiled = compilePolicy(policy, this.vocabulary);
    this.compiled.set(policy.id, compiled);
    this.index.add(compiled);
  }

  /** Removes a policy; unknown ids are ignored. */
  remove(id: string): void {
    const compiled = this.compiled.get(id);
    if (!compiled) return;
    this.index.remove(compiled);
    this.compiled.delete(id);
  }

  /** Decides a request: deny > isolate > require_mfa > allow; nothing applies means deny. */
  evaluate(request: DecisionRequest): DecisionResult {
    const bit = this.vocabulary.actionBit(request.action);
    const { policies, viaPrefix } = this.index.candidates(request);
    const candidates: CompiledPolicy[] = [];
    for (const compiled of policies) {
      if (targets(compiled, request, bit, viaPrefix)) candidates.push(compiled);
    }
    return decide(candidates.sort(byId), request, this.now);
  }

  /**
   * The enabled policies (in no particular order: a search unions what they cover) whose target
   * can cover a request filling the query's open part, found through the index: what a search
   * needs to know which candidates can be allowed.
   */
  searchTargets(query: SearchQuery): SearchTarget[] {
    const found: SearchTarget[] = [];
    for (const compiled of this.index.searchCandidates(query)) {
      const target = searchTargetOf(compiled, query);
      if (target) found.push(target);
    }
    return found;
  }

  /** Every action some policy names (`*` aside), sorted. */
  actionNames(): string[] {
    return this.index.actionNames().sort();
  }

  /** The same decision by scanning every policy; the reference the index is tested against. */
  evaluateByScan(request: DecisionRequest): DecisionResult {
    const bit = this.vocabulary.actionBit(request.action);
    const candidates = [...this.compiled.values()].filter((c) => targets(c, request, bit, false));
    return decide(candidates.sort(byId), request, this.now);
  }
}
