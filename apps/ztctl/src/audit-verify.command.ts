import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  AuditAnchor,
  AuditCheckpoint,
  AuditExportLine,
  canonicalJson,
  ChainHead,
  checkChain,
  EMPTY_CHAIN,
} from '@zt/contracts';
import { compactVerify, createLocalJWKSet, importSPKI, JSONWebKeySet } from 'jose';
import { UsageError } from './token.command';

type VerifyKey = Parameters<typeof compactVerify>[1];

/** A key file: a JWKS (as `GET /audit/keys` serves it) or an SPKI PEM public key. */
async function loadKey(file: string): Promise<VerifyKey> {
  const text = readFileSync(file, 'utf8');
  if (text.includes('-----BEGIN PUBLIC KEY-----')) return importSPKI(text, 'ES256');
  return createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
}

/** Checks a checkpoint's (or anchor's) ES256 signature and that it signs exactly what the line says. */
async function verifySigned(line: AuditCheckpoint, key: VerifyKey, where: string): Promise<void> {
  let payload: string;
  try {
    payload = new TextDecoder().decode(
      (await compactVerify(line.jws, key, { algorithms: ['ES256'] })).payload,
    );
  } catch {
    throw new Error(`${where}: the signature does not verify with the given key`);
  }
  const statement = { seq: line.seq, headHash: line.headHash, createdAt: line.createdAt };
  if (payload !== canonicalJson(statement))
    throw new Error(`${where}: the signed statement differs from the line`);
}

/**
 * `ztctl audit verify <export.jsonl> --key <jwks.json|key.pem>`: checks an audit export offline.
 * Every record must continue the chain; every checkpoint must carry a valid ES256 signature over
 * the head it names, and that head must be the chain's at that record. Names the first bad line.
 */
export async function auditCommand(args: string[]): Promise<string> {
  const [action, ...rest] = args;
  if (action !== 'verify') throw new UsageError('audit needs a subcommand: verify');
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: { key: { type: 'string' } },
  });
  if (positionals.length !== 1 || !values.key)
    throw new UsageError('usage: ztctl audit verify <export.jsonl> --key <jwks.json|key.pem>');
  const key = await loadKey(values.key);
  let head: ChainHead = EMPTY_CHAIN;
  let checkpoints = 0;
  let signedSeq = 0;
  let lineNo = 0;
  let anchor: AuditAnchor | undefined;
  const lines = createInterface({ input: createReadStream(positionals[0]), crlfDelay: Infinity });
  for await (const text of lines) {
    lineNo += 1;
    if (text.trim() === '') continue;
    let line: AuditExportLine;
    try {
      line = JSON.parse(text) as AuditExportLine;
    } catch {
      throw new Error(`line ${lineNo}: not JSON`);
    }
    if (line.kind === 'record') {
      const { kind: _kind, ...record } = line;
      const result = checkChain([record], head);
      if ('broken' in result)
        throw new Error(`line ${lineNo}, record ${result.broken.seq}: ${result.broken.reason}`);
      head = result.head;
    } else if (line.kind === 'checkpoint') {
      await verifySigned(line, key, `line ${lineNo}, checkpoint ${line.seq}`);
      if (line.seq !== head.seq || line.headHash !== head.hash) {
        throw new Error(
          `line ${lineNo}, checkpoint ${line.seq}: the signed head does not match the records before it`,
        );
      }
      checkpoints += 1;
      signedSeq = line.seq;
    } else if (line.kind === 'anchor') {
      // A pruned log starts at a signed checkpoint: the chain continues from its head.
      if (head !== EMPTY_CHAIN) throw new Error(`line ${lineNo}: an anchor may only start the export`);
      await verifySigned(line, key, `line ${lineNo}, anchor ${line.seq}`);
      head = { seq: line.seq, hash: line.headHash };
      anchor = line;
      signedSeq = line.seq;
    } else {
      throw new Error(`line ${lineNo}: unknown kind`);
    }
  }
  const unsigned = head.seq - signedSeq;
  const from = anchor
    ? ` (records ${anchor.seq + 1} on, after a signed anchor at ${anchor.seq}: ${anchor.prunedRecords} earlier records removed by retention)`
    : '';
  return (
    `verified ${head.seq - (anchor?.seq ?? 0)} records${from} and ${checkpoints} signed checkpoints; head ${head.seq} ${head.hash}` +
    (unsigned > 0 ? `\n${unsigned} records after the last checkpoint are not covered by a signature` : '')
  );
}
