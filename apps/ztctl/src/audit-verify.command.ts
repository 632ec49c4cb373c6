import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { AuditExportLine, BrokenLink, ChainVerification, CheckpointKey } from '@zt/contracts';
import { createLocalJWKSet, importSPKI, JSONWebKeySet } from 'jose';
import { UsageError } from './token.command';

/** The exit codes of `ztctl audit verify`, as `--help` documents them. */
export const AUDIT_VERIFY_EXIT = {
  verified: 0,
  /** A record, checkpoint or anchor does not hold, or the file cannot be read. */
  broken: 1,
  usage: 2,
  /** `--require-signed`: records lie after the last valid checkpoint. */
  unsigned: 3,
  /** `--expect-head`: the chain ends elsewhere. */
  unexpectedHead: 4,
} as const;

/** The usage of `ztctl audit verify`, its flags and exit codes. */
export const AUDIT_VERIFY_USAGE = `  audit verify <export.jsonl> --key <jwks.json|key.pem> [--require-signed]
               [--expect-head [<seq>:]<hash>]
        check an audit export (GET /v1/zt-policy/audit/export) offline; names the first bad line
        --key             the audit public key: the JWKS of GET /v1/zt-policy/audit/keys, or an
                          SPKI PEM
        --require-signed  fail unless a valid signed checkpoint covers the last record (every
                          export ends with one, so a cut tail fails)
        --expect-head     fail unless the chain ends at this record hash (and sequence), known
                          out of band: e.g. seq:headHash of the checkpoint the export signed,
                          as zt.audit.events published it
        exit codes: 0 verified; 1 a record, checkpoint or anchor does not hold, or the file
        cannot be read; 2 usage; 4 --expect-head and the chain ends elsewhere; 3 --require-signed
        and records lie after the last valid checkpoint (4 is checked before 3)
`;

/** A failed verification; its exit code says which check failed. */
export class AuditVerifyFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: (typeof AUDIT_VERIFY_EXIT)[keyof typeof AUDIT_VERIFY_EXIT],
  ) {
    super(message);
  }
}

/** A key file: a JWKS (as `GET /audit/keys` serves it) or an SPKI PEM public key. */
async function loadKey(file: string): Promise<CheckpointKey> {
  const text = readFileSync(file, 'utf8');
  if (text.includes('-----BEGIN PUBLIC KEY-----')) return importSPKI(text, 'ES256');
  return createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
}

/** `--expect-head`: `<seq>:<hash>` or just `<hash>` (64 hex digits). */
function expectedHead(text: string): { seq?: number; hash: string } {
  const match = /^(?:(\d{1,15}):)?([0-9a-fA-F]{64})$/.exec(text);
  if (!match) throw new UsageError('--expect-head must be <seq>:<hash> or <hash>, the hash as 64 hex digits');
  return { ...(match[1] === undefined ? {} : { seq: Number(match[1]) }), hash: match[2].toLowerCase() };
}

function broken(lineNo: number, link: BrokenLink): AuditVerifyFailure {
  // A checkpoint's reason names the checkpoint itself; a record's reason needs its sequence.
  const where = link.checkpoint
    ? `line ${lineNo}, ${link.reason}`
    : `line ${lineNo}, record ${link.seq}: ${link.reason}`;
  return new AuditVerifyFailure(where, AUDIT_VERIFY_EXIT.broken);
}

/** Walks an export line by line; throws at the first line that does not hold. */
async function walk(file: string, verification: ChainVerification): Promise<{ prunedRecords?: number }> {
  let lineNo = 0;
  let prunedRecords: number | undefined;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const text of lines) {
    lineNo += 1;
    if (text.trim() === '') continue;
    let line: AuditExportLine;
    try {
      line = JSON.parse(text) as AuditExportLine;
    } catch {
      throw new AuditVerifyFailure(`line ${lineNo}: not JSON`, AUDIT_VERIFY_EXIT.broken);
    }
    // The file is untrusted: a line that is not an object is refused, not dereferenced.
    if (typeof line !== 'object' || line === null || Array.isArray(line))
      throw new AuditVerifyFailure(`line ${lineNo}: not an export line`, AUDIT_VERIFY_EXIT.broken);
    let link: BrokenLink | undefined;
    if (line.kind === 'record') {
      const { kind: _kind, ...record } = line;
      link = verification.record(record);
    } else if (line.kind === 'checkpoint') {
      link = await verification.checkpoint(line);
    } else if (line.kind === 'anchor') {
      link = await verification.anchor(line);
      prunedRecords = line.prunedRecords;
    } else {
      throw new AuditVerifyFailure(`line ${lineNo}: unknown kind`, AUDIT_VERIFY_EXIT.broken);
    }
    if (link) throw broken(lineNo, link);
  }
  return prunedRecords === undefined ? {} : { prunedRecords };
}

/**
 * `ztctl audit verify <export.jsonl> --key <jwks.json|key.pem> [--require-signed]
 * [--expect-head [<seq>:]<hash>]`: checks an audit export offline. Every record must continue
 * the chain; every checkpoint must carry a valid ES256 signature over the head it names, and that
 * head must be the chain's at that record. Names the first bad line; the exit code says which
 * check failed ({@link AUDIT_VERIFY_EXIT}).
 */
export async function auditCommand(args: string[]): Promise<string> {
  const [action, ...rest] = args;
  if (action !== 'verify') throw new UsageError('audit needs a subcommand: verify');
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      'require-signed': { type: 'boolean', default: false },
      'expect-head': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return AUDIT_VERIFY_USAGE.trimEnd();
  if (positionals.length !== 1 || !values.key)
    throw new UsageError('usage: ztctl audit verify <export.jsonl> --key <jwks.json|key.pem>');
  const expected = values['expect-head'] === undefined ? undefined : expectedHead(values['expect-head']);
  const verification = new ChainVerification(await loadKey(values.key));
  const { prunedRecords } = await walk(positionals[0], verification);
  const { head, records, signedThrough, unsignedRecords } = verification;
  const start = head.seq - records;
  if (expected && (expected.hash !== head.hash || (expected.seq ?? head.seq) !== head.seq)) {
    throw new AuditVerifyFailure(
      `the chain is intact but ends at record ${head.seq} ${head.hash}, not at the expected ` +
        `${expected.seq === undefined ? '' : `${expected.seq}:`}${expected.hash} (--expect-head)`,
      AUDIT_VERIFY_EXIT.unexpectedHead,
    );
  }
  if (values['require-signed'] && head.seq === 0)
    throw new AuditVerifyFailure(
      'the export holds no signed record (--require-signed)',
      AUDIT_VERIFY_EXIT.unsigned,
    );
  if (values['require-signed'] && unsignedRecords > 0) {
    throw new AuditVerifyFailure(
      `the chain is intact but no signature covers the last ${unsignedRecords} records ` +
        `(${signedThrough + 1} to ${head.seq}) after the last valid checkpoint at ${signedThrough}: ` +
        `the export may have been cut or appended to (--require-signed)`,
      AUDIT_VERIFY_EXIT.unsigned,
    );
  }
  const from =
    prunedRecords === undefined
      ? ''
      : ` (records ${start + 1} on, after a signed anchor at ${start}: ${prunedRecords} earlier records removed by retention)`;
  return (
    `verified ${records} records${from} and ${verification.checkpoints} signed checkpoints; head ${head.seq} ${head.hash}` +
    (unsignedRecords > 0
      ? `\n${unsignedRecords} records after the last checkpoint are not covered by a signature`
      : '')
  );
}
