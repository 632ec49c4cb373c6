// Extracts the Basic, Batch and Discovery cases of the OpenID AuthZEN certification scenario
// (openid/authzen, certification/authorization-api-1_0-scenario.md) into certification-cases.json:
//   git --git-dir=<authzen>/.git show <commit>:certification/authorization-api-1_0-scenario.md \
//     | node test/authzen/extract-certification-cases.mjs > test/authzen/certification-cases.json
// Requests and expected bodies are the scenario's JSON, verbatim. Cases the scenario states in
// prose only (headers, content type, metadata, response format) are written out below, each with
// the scenario's own words as `rule`. Search (§c-4) is not extracted here.
import { readFileSync } from 'node:fs';

const markdown = readFileSync(0, 'utf8');
const lines = markdown.split('\n');

/** Sections whose JSON examples are requests to an endpoint, by id prefix. */
const endpointOf = (id) =>
  id.startsWith('c-2-') ? 'evaluation' : id.startsWith('c-3-') ? 'evaluations' : undefined;

const cases = [];
let section;
let pending; // the request waiting for its expectation
let mode; // what the next JSON block is: 'request' or 'expected'
let label;
for (let i = 0; i < lines.length; i++) {
  const line = lines[i];
  const heading = /^#{2,4} (.*?) \{#(c-[\d-]+)\}$/.exec(line);
  if (heading) {
    section = { title: heading[1], id: heading[2] };
    mode = undefined;
    continue;
  }
  if (!section || !endpointOf(section.id)) continue;
  const request = /^\*\*Request(?: \((.*)\))?:\*\*$/.exec(line);
  if (request) {
    label = request[1];
    mode = 'request';
    continue;
  }
  const expected = /^\*\*Expected:\*\* (.*)$/.exec(line);
  if (expected && pending) {
    const status = /HTTP (\d{3})/.exec(expected[1]);
    const decision = /^HTTP \d{3}, `"decision": (true|false)`/.exec(expected[1]);
    pending.expected = {
      status: status ? Number(status[1]) : undefined,
      ...(decision ? { body: { decision: decision[1] === 'true' } } : {}),
      says: expected[1],
    };
    mode = 'expected';
    continue;
  }
  if (line === '~~~ json') {
    const end = lines.indexOf('~~~', i + 1);
    const block = JSON.parse(lines.slice(i + 1, end).join('\n'));
    i = end;
    if (mode === 'request') {
      pending = {
        id: section.id,
        title: label ? `${section.title} (${label})` : section.title,
        endpoint: endpointOf(section.id),
        request: block,
      };
      cases.push(pending);
    } else if (mode === 'expected' && pending) {
      pending.expected.body = block;
      pending = undefined;
    }
    mode = undefined;
  }
}

const prose = [
  [
    'c-2-3-1',
    'Decision field is required',
    'evaluation',
    'The response MUST contain a `decision` field with a boolean value.',
  ],
  [
    'c-2-3-2',
    'Response context is permitted',
    'evaluation',
    'The PDP MAY include a `context` field in the response. If present, it MUST be a JSON object.',
  ],
  [
    'c-2-4-3',
    'Invalid content type',
    'evaluation',
    'The PDP MUST return HTTP 400 when the request `Content-Type` is not `application/json`.',
  ],
  [
    'c-2-4-4',
    'Malformed JSON',
    'evaluation',
    'The PDP MUST return HTTP 400 when the request body is not valid JSON.',
  ],
  [
    'c-2-4-5',
    'Empty request body',
    'evaluation',
    'The PDP MUST return HTTP 400 when the request body is empty.',
  ],
  [
    'c-2-5-1',
    'X-Request-ID echo',
    'evaluation',
    'If the request includes an `X-Request-ID` header, the PDP MUST include the same `X-Request-ID` value in the response headers.',
  ],
  [
    'c-2-5-2',
    'X-Request-ID absent',
    'evaluation',
    'If the request does not include an `X-Request-ID` header, the PDP MUST NOT fail.',
  ],
  [
    'c-2-6',
    'Idempotency',
    'evaluation',
    'The harness sends the same fixture request multiple times consecutively. The PDP MUST return the same `decision` value each time.',
  ],
  [
    'c-3-3-1',
    'Response array length matches request',
    'evaluations',
    'The `evaluations` array in the response MUST have the same number of elements as the `evaluations` array in the request.',
  ],
  [
    'c-3-3-2',
    'Response ordering',
    'evaluations',
    'The `evaluations` array in the response MUST be in the same order as the `evaluations` array in the request.',
  ],
  [
    'c-3-3-3',
    'Each evaluation contains a decision',
    'evaluations',
    'Each element in the response `evaluations` array MUST contain a `decision` field with a boolean value. Each element MAY contain a `context` field.',
  ],
  [
    'c-3-3-4',
    'Top-level decision field',
    'evaluations',
    'When the response contains an `evaluations` array, the top-level `decision` field SHOULD be omitted.',
  ],
  [
    'c-6',
    'Discovery: PDP metadata',
    'metadata',
    'HTTP 200 with `Content-Type: application/json`; `policy_decision_point` matches the base URL used for discovery; `access_evaluation_endpoint` (and `access_evaluations_endpoint`, `search_*_endpoint` when present) are valid HTTPS URLs.',
  ],
];
for (const [id, title, endpoint, rule] of prose) cases.push({ id, title, endpoint, rule });

const order = (id) => id.slice(2).split('-').map(Number);
cases.sort((a, b) => {
  const [x, y] = [order(a.id), order(b.id)];
  for (let k = 0; k < Math.max(x.length, y.length); k++)
    if ((x[k] ?? -1) !== (y[k] ?? -1)) return (x[k] ?? -1) - (y[k] ?? -1);
  return 0;
});
process.stdout.write(`${JSON.stringify({ cases }, null, 2)}\n`);
