// Loads many policies into a running policy-admin fast: what N `POST /policies` would leave behind
// (the policy rows, version 1 of each, the revision counter and its log, the outbox rows already
// marked published) written by SQL in a few statements, and the same change events produced to
// the compacted topic directly in large batches. Going through the API would take minutes for
// 100,000 policies (one transaction and one relay send per policy), which measures the loading,
// not the state we want to measure with.
const path = require('node:path');
const { Client } = require('pg');
const { Kafka, logLevel } = require('kafkajs');
const { ROOT } = require('../support');
const workload = require('../engine/workload');

const engine = require(path.join(ROOT, 'dist', 'libs', 'policy-engine', 'src', 'index.js'));
const contracts = require(path.join(ROOT, 'dist', 'libs', 'contracts', 'src', 'index.js'));

const SQL_CHUNK = 5000;
// Under the broker's 1 MB batch limit at about 700 bytes per event.
const KAFKA_CHUNK = 1000;
const ACTOR = { sub: 'bench-loader', roles: ['policy_admin'] };

/** Stored rows and change events of `n` policies of the engine benchmark's workload, revisions 1..n. */
function policyRecords(n, at) {
  return workload.ztPolicies(n).map((document, i) => {
    const parsed = engine.parsePolicy(document);
    if (!parsed.ok) throw new Error(`policy ${i}: ${JSON.stringify(parsed.errors)}`);
    const { policy } = parsed;
    const stored = engine.exportPolicy(policy, 'zt');
    const revision = i + 1;
    const data = {
      policyId: policy.id,
      change: 'created',
      version: 1,
      revision,
      format: 'zt',
      document: stored,
      actor: ACTOR,
    };
    const event = contracts.createCloudEvent({
      source: contracts.EventSources.policyAdmin,
      type: contracts.EventTypes.policyCreated,
      subject: policy.id,
      data,
      time: at,
    });
    return {
      row: {
        id: policy.id,
        name: policy.name,
        document: stored,
        effect: policy.effect,
        enforcement_mode: policy.enforcementMode,
        subject_keys: policy.subjects.map(engine.subjectKey),
        resource_patterns: policy.resources.map((r) => r.pattern),
        revision,
      },
      event,
    };
  });
}

async function writeRows(databaseUrl, records, at) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    // The same row lock a change takes: nothing else commits a revision meanwhile.
    const { rows } = await client.query('SELECT value FROM policy_admin.revision WHERE id = 1 FOR UPDATE');
    if (Number(rows[0].value) !== 0) throw new Error('bulk load needs a fresh policy-admin database');
    for (let start = 0; start < records.length; start += SQL_CHUNK) {
      const chunk = records.slice(start, start + SQL_CHUNK);
      const rowsJson = JSON.stringify(chunk.map((r) => r.row));
      await client.query(
        `INSERT INTO policy_admin.policies (id, name, version, format, document, effect, enforcement_mode,
           subject_keys, resource_patterns, revision, created_at, updated_at, deleted_at)
         SELECT x.id, x.name, 1, 'zt', x.document, x.effect, x.enforcement_mode, x.subject_keys,
           x.resource_patterns, x.revision, $2, $2, NULL
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, document jsonb, effect text,
           enforcement_mode text, subject_keys jsonb, resource_patterns jsonb, revision bigint)`,
        [rowsJson, at],
      );
      await client.query(
        `INSERT INTO policy_admin.policy_versions (policy_id, version, change, format, document, revision,
           actor, reason, created_at)
         SELECT x.id, 1, 'created', 'zt', x.document, x.revision, $2, NULL, $3
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, document jsonb, revision bigint)`,
        [rowsJson, ACTOR.sub, at],
      );
      await client.query(
        `INSERT INTO policy_admin.outbox (topic, message_key, event, created_at, published_at)
         SELECT $2, e.event->>'subject', e.event, $3, $3 FROM jsonb_array_elements($1::jsonb) AS e(event)`,
        [JSON.stringify(chunk.map((r) => r.event)), contracts.Topics.policyChanges, at],
      );
    }
    await client.query(
      `INSERT INTO policy_admin.revision_log (revision, committed_at) SELECT r, $2 FROM generate_series(1, $1::bigint) r`,
      [records.length, at],
    );
    await client.query('UPDATE policy_admin.revision SET value = $1 WHERE id = 1', [records.length]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

async function produceEvents(env, records) {
  const kafka = new Kafka({
    clientId: 'bench-bulk-load',
    brokers: env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const topic = `${env.TOPIC_PREFIX}${contracts.Topics.policyChanges}`;
    for (let start = 0; start < records.length; start += KAFKA_CHUNK) {
      await producer.send({
        topic,
        acks: -1,
        messages: records.slice(start, start + KAFKA_CHUNK).map(({ event }) => ({
          key: event.subject,
          value: JSON.stringify(event),
          headers: { 'content-type': 'application/cloudevents+json; charset=UTF-8' },
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Loads `n` policies (`p0`..`p<n-1>`, revisions 1..n) into the fresh policy-admin database of
 * `env` and onto its policy topic; returns how long each part took.
 */
async function bulkLoadPolicies(env, n) {
  const at = new Date();
  const t0 = performance.now();
  const records = policyRecords(n, at);
  const t1 = performance.now();
  await writeRows(env.DATABASE_URL, records, at);
  const t2 = performance.now();
  await produceEvents(env, records);
  const t3 = performance.now();
  return { policies: n, buildMs: t1 - t0, sqlMs: t2 - t1, kafkaMs: t3 - t2 };
}

module.exports = { bulkLoadPolicies };
