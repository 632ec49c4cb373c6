// Decision log messages as a decision replica publishes them (`com.zt.decision.batch`, 100
// decisions per message), for loading the audit ingest path without the decision API in front.
const { createHash, randomUUID } = require('node:crypto');

const DECISIONS_PER_MESSAGE = 100;

/** One decision's log entry, shaped as DecisionLogPublisher writes it. */
function decisionEntry(n) {
  const resource = `svc${n % 200}.db`;
  return {
    decisionId: randomUUID(),
    requestDigest: createHash('sha256').update(`alice|read|${resource}`).digest('hex'),
    decision: n % 10 === 0 ? 'deny' : 'allow',
    subject: 'alice@company.com',
    action: 'read',
    resource,
    policies: [{ id: `pol_${n % 200}`, version: 1 }],
    revision: 201,
    latencyMs: 0.05,
    cached: true,
    sampleRate: 1,
    at: new Date().toISOString(),
    correlationId: randomUUID(),
  };
}

/**
 * `count` decisions as CloudEvents of 100 decisions each, with their decision ids; `entryOf(n)`
 * makes the n-th decision's log entry.
 */
function decisionBatches(count, entryOf = decisionEntry) {
  const events = [];
  const ids = [];
  for (let first = 0; first < count; first += DECISIONS_PER_MESSAGE) {
    const decisions = [];
    for (let n = first; n < Math.min(count, first + DECISIONS_PER_MESSAGE); n++) decisions.push(entryOf(n));
    ids.push(...decisions.map((d) => d.decisionId));
    events.push({
      specversion: '1.0',
      id: randomUUID(),
      source: '/zt/decision',
      type: 'com.zt.decision.batch',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: { decisions },
    });
  }
  return { events, ids };
}

module.exports = { decisionBatches, DECISIONS_PER_MESSAGE };
