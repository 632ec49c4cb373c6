import { decisionRequestErrors } from '@zt/contracts';
import Ajv from 'ajv';
import { schemaFieldErrors } from '@zt/http';
import type { DecisionRequest, Effect } from '@zt/policy-engine';
import { DocumentFile, issueAt, RepoIssue } from './repo-files';

/** What a case expects of the decision; only `decision` is required. */
export interface CaseExpectation {
  decision: Effect;
  /** Exactly these policies decide (any order). */
  deciding?: string[];
  /** Each text must appear in one of the decision's reasons. */
  reasons?: string[];
  /** Each must match one obligation of the decision, member for member (a subset). */
  obligations?: Record<string, unknown>[];
}

/** One test case: a decision request and what must come of it. */
export interface TestCase {
  name: string;
  request: DecisionRequest;
  expect: CaseExpectation;
  /** The clock of this case (time windows), ISO 8601; else the file's, else now. */
  now?: string;
  /** Where the case is, for reports. */
  pointer: string;
  line?: number;
}

/** A test file of a repository's `tests/` folder. */
export interface TestFile {
  file: string;
  name: string;
  cases: TestCase[];
}

const EFFECTS = ['allow', 'deny', 'require_mfa', 'isolate'];
const NAMES = {
  type: 'array',
  maxItems: 100,
  items: { type: 'string', minLength: 1, maxLength: 512 },
} as const;
const TIME = { type: 'string', format: 'date-time' } as const;

/** JSON Schema of a test file (docs/policy-as-code.md, "Test files"). */
export const TEST_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['cases'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 256 },
    now: TIME,
    cases: {
      type: 'array',
      minItems: 1,
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'request', 'expect'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 256 },
          now: TIME,
          request: { type: 'object' },
          expect: {
            type: 'object',
            additionalProperties: false,
            required: ['decision'],
            properties: {
              decision: { enum: EFFECTS },
              deciding: NAMES,
              reasons: NAMES,
              obligations: { type: 'array', maxItems: 100, items: { type: 'object' } },
            },
          },
        },
      },
    },
  },
} as const;

// YAML reads an unquoted timestamp as a string (the core schema has no timestamp type), so
// `date-time` is checked on text; ajv-formats would pull the whole format set for one pattern.
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', {
  type: 'string',
  validate: (text: string) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(text) &&
    !Number.isNaN(Date.parse(text)),
});
const validate = ajv.compile(TEST_FILE_SCHEMA);

type RawTestFile = {
  name?: string;
  now?: string;
  cases: (Omit<TestCase, 'pointer' | 'line'> & { request: unknown })[];
};

/** Reads and checks a test file; its problems go to `issues` with their pointers. */
export function readTestFile(doc: DocumentFile, issues: RepoIssue[]): TestFile | undefined {
  const errors = schemaFieldErrors(validate, doc.data);
  if (errors.length > 0) {
    issues.push(...errors.map((e) => issueAt(doc, e.pointer, e.detail)));
    return undefined;
  }
  const raw = doc.data as RawTestFile;
  let valid = true;
  const cases: TestCase[] = raw.cases.map((c, i) => {
    const pointer = `/cases/${i}`;
    const requestErrors = decisionRequestErrors(c.request);
    const subject = (c.request as { subject?: unknown }).subject;
    // Offline there is no caller's token to stand for the subject.
    if (requestErrors.length === 0 && subject === undefined)
      requestErrors.push({ pointer: '/subject', detail: 'must be set: a test has no token to stand for it' });
    if (requestErrors.length > 0) {
      valid = false;
      issues.push(...requestErrors.map((e) => issueAt(doc, `${pointer}/request${e.pointer}`, e.detail)));
    }
    const line = doc.lineOf(pointer);
    const now = c.now ?? raw.now;
    return {
      name: c.name,
      request: c.request,
      expect: c.expect,
      ...(now ? { now } : {}),
      pointer,
      ...(line ? { line } : {}),
    };
  });
  if (!valid) return undefined;
  return { file: doc.file, name: raw.name ?? doc.file, cases };
}
