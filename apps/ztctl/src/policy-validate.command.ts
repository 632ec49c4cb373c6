import { CommandResult, EXIT } from './exit-codes';
import { loadRepository, PolicyRepository } from './policy-repo';
import { formatIssue } from './repo-files';

export type OutputFormat = 'text' | 'json';

/** What the repository holds, counted. */
export function counts(repository: PolicyRepository) {
  return {
    policies: repository.policies.length,
    principals: repository.principals?.length ?? 0,
    resources: repository.resources?.length ?? 0,
    routes: repository.routes?.table.routes.length ?? 0,
    test_files: repository.tests.length,
    test_cases: repository.tests.reduce((n, t) => n + t.cases.length, 0),
  };
}

/** The issues of a repository as text, one `file:line pointer: message` per line. */
export function issuesText(repository: PolicyRepository): string {
  return `${repository.issues.map(formatIssue).join('\n')}\n${repository.issues.length} problems in ${repository.dir}`;
}

/**
 * `ztctl policy validate DIR`: every file checked as the server checks a write, each problem
 * named by file, line and JSON pointer. Exit 1 when there is any.
 */
export function validateCommand(dir: string, output: OutputFormat): CommandResult {
  const repository = loadRepository(dir);
  const valid = repository.issues.length === 0;
  const exitCode = valid ? EXIT.ok : EXIT.failure;
  if (output === 'json') {
    return {
      text: JSON.stringify({ valid, counts: counts(repository), issues: repository.issues }, null, 2),
      exitCode,
    };
  }
  if (!valid) return { text: issuesText(repository), exitCode };
  const c = counts(repository);
  return {
    text: `valid: ${c.policies} policies, ${c.principals} principals, ${c.resources} resources, ${c.routes} routes, ${c.test_files} test files (${c.test_cases} cases)`,
    exitCode,
  };
}
