import { bucketAdd, bucketRemove } from './bucket';
import type { CompiledPolicy } from './compiled-policy';
import { subjectKey } from './formats/format-options';
import { literalPrefix } from './glob';
import type { DecisionRequest, SubjectInput } from './model';
import { ResourcePrefixTree } from './resource-prefix-tree';
import type { SearchQuery } from './search-targets';

/**
 * Buckets hold the compiled policies themselves, in plain arrays: with 100,000 policies a
 * lookup then touches one compact array instead of a Set of ids plus a second map from id to
 * policy, which costs main-memory round trips on every candidate. A policy is in few buckets, but
 * one bucket can hold most policies (every policy that names `read`), so removal goes through
 * ./bucket, which does not scan large ones.
 */
type Bucket = CompiledPolicy[];
type Buckets = Map<string, Bucket>;

function add(buckets: Buckets, key: string, compiled: CompiledPolicy): void {
  const bucket = buckets.get(key);
  if (bucket) bucketAdd(bucket, compiled);
  else buckets.set(key, [compiled]);
}

function drop(buckets: Buckets, key: string, compiled: CompiledPolicy): void {
  const bucket = buckets.get(key);
  if (!bucket) return;
  bucketRemove(bucket, compiled);
  if (bucket.length === 0) buckets.delete(key);
}

/** The index keys of a policy along the three dimensions a request is matched on. */
function keysOf(compiled: CompiledPolicy): { actions: string[]; prefixes: string[]; subjects: string[] } {
  // A resource's own actions (seed 001) replace the policy's for that resource.
  const { policy } = compiled;
  const actions = policy.resources.flatMap((r) => r.actions ?? policy.actions);
  return {
    actions: actions.includes('*') ? ['*'] : [...new Set(actions)],
    prefixes: [...new Set(policy.resources.map((r) => literalPrefix(r.pattern)))],
    subjects: [...new Set(policy.subjects.map(subjectKey))],
  };
}

/** What the index offers for a request; see PolicyIndex.candidates. */
export interface Candidates {
  policies: Iterable<CompiledPolicy>;
  viaPrefix: boolean;
}

/** Below this many candidates, narrowing further costs more than checking them. */
const SMALL = 8;

const isBucket = (b: Bucket | undefined): b is Bucket => b !== undefined;
const sizeOf = (buckets: Bucket[]) => buckets.reduce((n, b) => n + b.length, 0);

function union(buckets: Bucket[]): Iterable<CompiledPolicy> {
  if (buckets.length === 1) return buckets[0];
  const all = new Set<CompiledPolicy>();
  for (const bucket of buckets) for (const compiled of bucket) all.add(compiled);
  return all;
}

/** The subject keys a request can match: its own id under each kind, its groups and roles. */
function subjectKeys(subject: SubjectInput): string[] {
  return [
    '*',
    `user:${subject.id}`,
    `service:${subject.id}`,
    `workload:${subject.id}`,
    `device:${subject.id}`,
    ...(subject.groups ?? []).map((g) => `group:${g}`),
    ...(subject.roles ?? []).map((r) => `role:${r}`),
  ];
}

/**
 * Indexes policies by action, by the literal prefix of each resource glob, and by subject, so a
 * request only looks at policies that can match it along the most selective dimension. The
 * index is a pre-filter: every candidate is still checked, except for what the prefix lookup
 * itself proved (that the id starts with the literal prefix of the policy's one resource glob).
 */
export class PolicyIndex {
  private readonly byAction: Buckets = new Map();
  private readonly byPrefix = new ResourcePrefixTree<CompiledPolicy>();
  private readonly bySubject: Buckets = new Map();

  add(compiled: CompiledPolicy): void {
    const keys = keysOf(compiled);
    keys.actions.forEach((k) => add(this.byAction, k, compiled));
    keys.subjects.forEach((k) => add(this.bySubject, k, compiled));
    keys.prefixes.forEach((k) => this.byPrefix.add(k, compiled));
  }

  remove(compiled: CompiledPolicy): void {
    const keys = keysOf(compiled);
    keys.actions.forEach((k) => drop(this.byAction, k, compiled));
    keys.subjects.forEach((k) => drop(this.bySubject, k, compiled));
    keys.prefixes.forEach((k) => this.byPrefix.remove(k, compiled));
  }

  /**
   * Every policy that may match the request (a superset, in no particular order), and whether
   * they were found by resource prefix: then each was found under a literal prefix of one of its
   * resource globs that starts the request's resource id (see `targets`).
   */
  candidates(request: DecisionRequest): Candidates {
    // The resource prefix is nearly always the most selective dimension; when it already
    // narrows the field to a handful, the other dimensions are not worth computing.
    const byResource = this.byPrefix.lookup(request.resource.id);
    const resourceSize = sizeOf(byResource);
    if (resourceSize <= SMALL) return { policies: union(byResource), viaPrefix: true };
    const byAction = [this.byAction.get(request.action), this.byAction.get('*')].filter(isBucket);
    const bySubject = subjectKeys(request.subject)
      .map((k) => this.bySubject.get(k))
      .filter(isBucket);
    let best = byResource;
    let bestSize = resourceSize;
    for (const sets of [byAction, bySubject]) {
      const size = sizeOf(sets);
      if (size < bestSize) [best, bestSize] = [sets, size];
    }
    return { policies: union(best), viaPrefix: best === byResource };
  }

  /**
   * Every policy that may match some request filling the query's open part (a superset, in no
   * particular order): the smallest of the buckets along the dimensions the query fixes.
   */
  searchCandidates(query: SearchQuery): Iterable<CompiledPolicy> {
    const choices: Bucket[][] = [];
    if (query.open !== 'subject') {
      choices.push(
        subjectKeys(query.subject)
          .map((k) => this.bySubject.get(k))
          .filter(isBucket),
      );
    }
    if (query.open !== 'resource') choices.push(this.byPrefix.lookup(query.resource.id));
    if (query.open !== 'action') {
      choices.push([this.byAction.get(query.action), this.byAction.get('*')].filter(isBucket));
    }
    let best = choices[0];
    for (const buckets of choices) if (sizeOf(buckets) < sizeOf(best)) best = buckets;
    return union(best);
  }

  /** Every action some policy names (not `*`), in no particular order. */
  actionNames(): string[] {
    return [...this.byAction.keys()].filter((a) => a !== '*');
  }
}
