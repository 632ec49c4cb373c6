import { AuditExportLine } from '@zt/contracts';
import { sealedOf } from './audit-record.entity';
import { ChainReader } from './chain-verifier';

const PAGE = 1000;

function line(value: AuditExportLine): string {
  return `${JSON.stringify(value)}\n`;
}

/**
 * The retained log as JSON Lines, through record `through` (everything when absent): the anchor
 * when records were pruned, then records in order, each checkpoint right after its record. With
 * `through` at a signed checkpoint, the export ends with that signature over its last record.
 */
export async function* exportChain(
  reader: ChainReader,
  through = Infinity,
  page = PAGE,
): AsyncGenerator<string> {
  const anchor = await reader.anchor();
  if (anchor) yield line({ kind: 'anchor', ...anchor });
  let after = anchor?.seq ?? 0;
  while (after < through) {
    const batch = (await reader.after(after, page)).filter((record) => record.seq <= through);
    if (batch.length === 0) break;
    const checkpoints = await reader.checkpointsIn(after, batch[batch.length - 1].seq);
    for (const record of batch) {
      yield line({ kind: 'record', ...sealedOf(record) });
      while (checkpoints.length > 0 && checkpoints[0].seq <= record.seq) {
        yield line({ kind: 'checkpoint', ...checkpoints.shift()! });
      }
    }
    after = batch[batch.length - 1].seq;
  }
}
