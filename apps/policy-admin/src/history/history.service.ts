import { Injectable } from '@nestjs/common';
import type { HistoricalSnapshot, HistoricalSnapshotQuery, HistoricalSnapshotSource } from '@zt/contracts';
import { parseRfc3339 } from '@zt/contracts';
import { validationProblem } from '@zt/http';
import { availableRevision } from './history-availability';
import { HistoryRepository } from './history.repository';

/**
 * Time travel on policy-admin's side: the whole policy state (policies, principals, resources)
 * as of a past revision or instant, rebuilt from the version tables every write appends to.
 */
@Injectable()
export class PolicyHistoryService implements HistoricalSnapshotSource {
  constructor(private readonly repository: HistoryRepository) {}

  /**
   * The snapshot as of the query, as JSON text in the current snapshot's shape plus `as_of`
   * (written by PostgreSQL record by record, as the current snapshot is).
   */
  async snapshotJsonAt(query: HistoricalSnapshotQuery): Promise<string> {
    return this.repository.read(async (reader) => {
      const bounds = { start: await reader.start(), current: await reader.current() };
      let found;
      if ('at' in query) {
        const at = parseRfc3339(query.at);
        if (!at) throw validationProblem([{ pointer: '/at', detail: 'must be an RFC 3339 date-time' }]);
        found = await reader.lastCommittedAt(at);
      } else {
        found = { revision: query.revision, committedAt: await reader.committedAt(query.revision) };
      }
      const { revision, committedAt } = availableRevision(query, found, bounds);
      const { policies, principals, resources } = await reader.records(revision);
      const asOf = JSON.stringify({ revision, committed_at: committedAt?.toISOString() ?? null });
      return `{"revision":${revision},"as_of":${asOf},"policies":[${policies.join(',')}],"principals":[${principals.join(',')}],"resources":[${resources.join(',')}]}`;
    });
  }

  /** The same snapshot as an object, for a decision service in the same process. */
  async snapshotAt(query: HistoricalSnapshotQuery): Promise<HistoricalSnapshot> {
    return JSON.parse(await this.snapshotJsonAt(query)) as HistoricalSnapshot;
  }
}
