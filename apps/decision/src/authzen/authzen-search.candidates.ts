import { literalPrefix, SearchTarget } from '@zt/policy-engine';
import type { SearchDirectory } from './authzen-search.directory';
import { prefixRun, SortedRun, wholeRun } from './authzen-search.merge';

/**
 * Only an enforced allow or require_mfa policy can make a decision `allow` (require_mfa allows a
 * session that used MFA); deny, isolate and audit-mode policies can only take one away. So the
 * candidates of a search are the entities such a policy's target covers: every other entity
 * would be denied by default, and is skipped without being evaluated.
 */
export const mayAllow = (target: SearchTarget): boolean =>
  target.policy.enforcementMode === 'enforce' &&
  (target.policy.effect === 'allow' || target.policy.effect === 'require_mfa');

/**
 * The directory runs holding every subject of `type` an allowing policy names: all of the type
 * when one names everyone (`*`), else the members of the roles and groups named and the
 * principals named. A run of role or group members may hold other types: the caller checks.
 */
export function subjectRuns(
  targets: readonly SearchTarget[],
  directory: SearchDirectory,
  type: string,
  revision: number,
): SortedRun[] {
  const runs: SortedRun[] = [];
  const named: string[] = [];
  for (const target of targets.filter(mayAllow)) {
    for (const subject of target.policy.subjects) {
      switch (subject.kind) {
        case 'any':
          return [wholeRun(directory.subjectsOfType(type, revision))];
        case 'role':
          runs.push(wholeRun(directory.subjectsWithRole(subject.value, revision)));
          break;
        case 'group':
          runs.push(wholeRun(directory.subjectsInGroup(subject.value, revision)));
          break;
        case 'user':
        case 'service':
        case 'workload':
        case 'device':
          named.push(subject.value);
          break;
      }
    }
  }
  if (named.length > 0) runs.push(wholeRun([...new Set(named)].sort()));
  return runs;
}

/**
 * The directory runs holding every resource of `type` an allowing policy's resource globs can
 * match: the ids that start with each glob's literal prefix (all of them for `*`).
 */
export function resourceRuns(
  targets: readonly SearchTarget[],
  directory: SearchDirectory,
  type: string,
  revision: number,
): SortedRun[] {
  const ids = directory.resourcesOfType(type, revision);
  const prefixes = new Set(
    targets.filter(mayAllow).flatMap((t) => t.resources.map((r) => literalPrefix(r.pattern))),
  );
  if (prefixes.has('')) return [wholeRun(ids)];
  return [...prefixes].map((prefix) => prefixRun(ids, prefix));
}

/**
 * The actions an allowing policy names for the subject and resource; `*` stands for every action
 * any policy names (`allActions`, sorted).
 */
export function actionRuns(targets: readonly SearchTarget[], allActions: readonly string[]): SortedRun[] {
  const names = new Set<string>();
  for (const target of targets.filter(mayAllow)) {
    if (target.actions.includes('*')) return [wholeRun(allActions)];
    for (const action of target.actions) names.add(action);
  }
  return [wholeRun([...names].sort())];
}
