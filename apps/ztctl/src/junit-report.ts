import type { TestRun } from './policy-test-run';

const escape = (text: string) =>
  text
    .replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
    )
    // XML 1.0 allows no control characters but tab, newline and carriage return.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/**
 * The run as JUnit XML (the de facto schema CI systems read: testsuites > testsuite per file >
 * testcase, with a failure element per failed case).
 */
export function junitXml(run: TestRun): string {
  const byFile = new Map<string, TestRun['cases']>();
  for (const c of run.cases) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  const suites = [...byFile.entries()].map(([file, cases]) => {
    const failures = cases.filter((c) => !c.passed).length;
    const body = cases
      .map((c) => {
        const open = `    <testcase classname="${escape(file)}" name="${escape(c.name)}" time="0"`;
        if (c.passed) return `${open}/>`;
        const message = escape(c.failures[0] ?? 'failed');
        return `${open}>\n      <failure message="${message}" type="assertion">${escape(c.failures.join('\n'))}</failure>\n    </testcase>`;
      })
      .join('\n');
    return `  <testsuite name="${escape(file)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">\n${body}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ztctl policy test" tests="${run.cases.length}" failures="${run.failed}">\n${suites.join('\n')}\n</testsuites>\n`;
}
