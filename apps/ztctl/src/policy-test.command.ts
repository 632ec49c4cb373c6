import { writeFileSync } from 'node:fs';
import { CommandResult, EXIT } from './exit-codes';
import { junitXml } from './junit-report';
import { loadRepository } from './policy-repo';
import { runTests, TestRun } from './policy-test-run';
import { issuesText, OutputFormat } from './policy-validate.command';

const percent = (part: number, whole: number) => (whole === 0 ? 100 : Math.round((part / whole) * 100));

/** The run for a reader: failures in detail, a summary line, then what no test exercised. */
export function testReport(run: TestRun): string {
  const lines: string[] = [];
  for (const c of run.cases) {
    const where = `${c.file}${c.line ? `:${c.line}` : ''}`;
    lines.push(`${c.passed ? 'PASS' : 'FAIL'} ${where} ${c.name}`);
    for (const failure of c.failures) lines.push(`     ${failure}`);
  }
  const { policies, conditions } = run.coverage;
  lines.push(
    '',
    `${run.passed} passed, ${run.failed} failed, ${run.cases.length} cases`,
    `coverage: ${policies.exercised}/${policies.total} policies reached (${percent(policies.exercised, policies.total)}%), ` +
      `${conditions.exercised}/${conditions.total} conditions seen both holding and failing (${percent(conditions.exercised, conditions.total)}%)`,
  );
  for (const id of policies.unexercised) lines.push(`  policy ${id}: no test reaches it`);
  for (const c of conditions.details) {
    const missing = [c.held ? '' : 'holding', c.failed ? '' : 'failing'].filter(Boolean);
    if (missing.length > 0 && !policies.unexercised.includes(c.policy))
      lines.push(
        `  policy ${c.policy} condition ${c.index} (${c.kind}): no test sees it ${missing.join(' or ')}`,
      );
  }
  return lines.join('\n');
}

/**
 * `ztctl policy test DIR [--junit FILE]`: runs the repository's test files on the engine. Exit 1
 * when a case fails or the repository is invalid (nothing is run then).
 */
export function testCommand(dir: string, options: { output: OutputFormat; junit?: string }): CommandResult {
  const repository = loadRepository(dir);
  if (repository.issues.length > 0) {
    return {
      text:
        options.output === 'json'
          ? JSON.stringify({ valid: false, issues: repository.issues }, null, 2)
          : issuesText(repository),
      exitCode: EXIT.failure,
    };
  }
  const run = runTests(repository);
  if (options.junit) writeFileSync(options.junit, junitXml(run));
  const exitCode = run.failed > 0 ? EXIT.failure : EXIT.ok;
  if (options.output === 'json') {
    const { cases, passed, failed, coverage } = run;
    return { text: JSON.stringify({ passed, failed, cases, coverage }, null, 2), exitCode };
  }
  return { text: testReport(run), exitCode };
}
