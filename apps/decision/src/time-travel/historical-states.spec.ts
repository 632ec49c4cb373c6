import { MemoryCache } from '@zt/cache';
import { loadConfig } from '@zt/config';
import type { HistoricalSnapshot, HistoricalSnapshotQuery } from '@zt/contracts';
import { ProblemError } from '@zt/http';
import { HistoricalSnapshots } from './historical-snapshots';
import { HISTORICAL_STATES_KEPT, HistoricalStates } from './historical-states';

const NOW = Date.parse('2025-03-02T00:00:00Z');

/** policy-admin's history in miniature: revision r was committed at hour r of 2025-03-01. */
class History {
  fetches: string[] = [];

  fetch(query: HistoricalSnapshotQuery): Promise<HistoricalSnapshot> {
    if (!('at' in query)) throw new Error('asked by revision');
    this.fetches.push(query.at);
    const revision = new Date(query.at).getUTCHours();
    if (revision === 0) {
      return Promise.reject(new ProblemError(422, 'HISTORY_NOT_AVAILABLE', 'before the history'));
    }
    return Promise.resolve({
      revision,
      as_of: { revision, committed_at: `2025-03-01T${String(revision).padStart(2, '0')}:00:00.000Z` },
      policies: [
        {
          policyId: 'p',
          version: revision,
          revision,
          format: 'zt',
          document: {
            id: 'p',
            name: 'p',
            subjects: ['*'],
            resources: ['ledger.*'],
            actions: ['read'],
            effect: revision < 5 ? 'allow' : 'deny',
          },
        },
      ],
      principals: [
        {
          principalId: 'alice',
          revision,
          principal: { id: 'alice', type: 'user', roles: [`r${revision}`], groups: [], attributes: {} },
        },
      ],
      resources: [],
    });
  }
}

describe('HistoricalStates', () => {
  const config = loadConfig({});
  let history: History;
  let states: HistoricalStates;

  beforeEach(() => {
    history = new History();
    states = new HistoricalStates(history as unknown as HistoricalSnapshots, config, new MemoryCache());
  });

  it('builds the state of the revision an instant stands for, as a replica would', async () => {
    const past = await states.at(new Date('2025-03-01T03:30:00Z'), NOW);
    expect(past.asOf).toEqual({ revision: 3, committed_at: '2025-03-01T03:00:00.000Z' });
    expect(past.state.revision).toBe(3);
    expect(past.state.directory.get('alice')?.roles).toEqual(['r3']);
    const decided = past.state.policies.evaluate({
      subject: { id: 'alice' },
      action: 'read',
      resource: { id: 'ledger.q1' },
    });
    expect(decided.decision).toBe('allow');
    expect(past.devices.loaded).toBe(true);
    expect(past.devices.size).toBe(0);
  });

  it('remembers a settled instant and its state: asking again fetches nothing', async () => {
    const first = await states.at(new Date('2025-03-01T03:30:00Z'), NOW);
    const again = await states.at(new Date('2025-03-01T03:30:00Z'), NOW);
    expect(again).toBe(first);
    expect(history.fetches).toHaveLength(1);
  });

  it('asks again about a recent instant, whose revision may still be committing', async () => {
    const recent = Date.parse('2025-03-01T03:30:10Z');
    await states.at(new Date('2025-03-01T03:30:00Z'), recent);
    await states.at(new Date('2025-03-01T03:30:00Z'), recent);
    expect(history.fetches).toHaveLength(2);
  });

  it('shares one fetch among concurrent questions about one instant', async () => {
    const at = new Date('2025-03-01T04:00:00Z');
    const [a, b] = await Promise.all([states.at(at, NOW), states.at(at, NOW)]);
    expect(a).toBe(b);
    expect(history.fetches).toHaveLength(1);
  });

  it('reuses the state of a revision two instants share', async () => {
    const a = await states.at(new Date('2025-03-01T06:10:00Z'), NOW);
    const b = await states.at(new Date('2025-03-01T06:50:00Z'), NOW);
    expect(b).toBe(a);
  });

  it(`keeps ${HISTORICAL_STATES_KEPT} states, dropping the least recently used`, async () => {
    const first = await states.at(new Date('2025-03-01T01:00:00Z'), NOW);
    for (let hour = 2; hour <= HISTORICAL_STATES_KEPT + 1; hour++) {
      await states.at(new Date(`2025-03-01T0${hour}:00:00Z`), NOW);
    }
    const rebuilt = await states.at(new Date('2025-03-01T01:00:00Z'), NOW);
    expect(rebuilt).not.toBe(first);
    expect(rebuilt.asOf.revision).toBe(1);
  });

  it('passes a refusal of the history on, and remembers nothing of it', async () => {
    await expect(states.at(new Date('2025-03-01T00:30:00Z'), NOW)).rejects.toMatchObject({
      status: 422,
      code: 'HISTORY_NOT_AVAILABLE',
    });
    await expect(states.at(new Date('2025-03-01T00:30:00Z'), NOW)).rejects.toMatchObject({ status: 422 });
    expect(history.fetches).toHaveLength(2);
  });
});
