import type { DecisionHeartbeatData } from '@zt/contracts';
import { rolloutStatus } from './rollout-status';

const now = new Date('2026-11-23T10:00:10Z');
const beat = (
  instanceId: string,
  revision: number,
  reachedAt: string,
  at = '2026-11-23T10:00:09Z',
): DecisionHeartbeatData => ({
  instanceId,
  revision,
  revisionReachedAt: reachedAt,
  startedAt: '2026-11-23T09:00:00Z',
  ready: true,
  staleSeconds: 0,
  at,
});

const WINDOWS = { silentAfterMs: 15_000, forgetAfterMs: 600_000 };

describe('rolloutStatus', () => {
  const committed = new Date('2026-11-23T10:00:00.000Z');

  it('reports the propagation time once every live replica has the revision', () => {
    const status = rolloutStatus(
      7,
      committed,
      [beat('b', 7, '2026-11-23T10:00:00.120Z'), beat('a', 7, '2026-11-23T10:00:00.080Z')],
      now,
      WINDOWS,
    );
    expect(status.replicas.map((r) => r.instance)).toEqual(['a', 'b']);
    expect(status.last_change).toEqual({
      revision: 7,
      committed_at: '2026-11-23T10:00:00.000Z',
      reached_all_at: '2026-11-23T10:00:00.120Z',
      propagation_ms: 120,
      pending: [],
    });
  });

  it('names the replicas still behind, with their lag', () => {
    const status = rolloutStatus(
      9,
      committed,
      [beat('a', 9, '2026-11-23T10:00:00.050Z'), beat('b', 6, '2026-11-23T09:59:00Z')],
      now,
      WINDOWS,
    );
    expect(status.last_change).toMatchObject({ reached_all_at: null, propagation_ms: null, pending: ['b'] });
    expect(status.replicas.find((r) => r.instance === 'b')?.lag).toBe(3);
  });

  it('keeps a replica not heard from recently in view, silent and pending, until it is long gone', () => {
    const status = rolloutStatus(
      3,
      committed,
      [
        beat('a', 3, '2026-11-23T10:00:00.050Z'),
        beat('cut-off', 3, '2026-11-23T09:59:00Z', '2026-11-23T09:59:30Z'),
      ],
      now,
      WINDOWS,
    );
    expect(status.replicas.map((r) => [r.instance, r.silent])).toEqual([
      ['a', false],
      ['cut-off', true],
    ]);
    expect(status.last_change).toMatchObject({ reached_all_at: null, pending: ['cut-off'] });
    const later = rolloutStatus(
      3,
      committed,
      [beat('gone', 1, '2026-11-23T09:00:00Z', '2026-11-23T09:50:00Z')],
      now,
      WINDOWS,
    );
    expect(later.replicas).toEqual([]);
  });

  it('drops a replica that said it was stopping, and shows one that knows it is behind', () => {
    const status = rolloutStatus(
      5,
      committed,
      [
        { ...beat('old', 4, '2026-11-23T10:00:00Z'), stopping: true },
        { ...beat('lagging', 4, '2026-11-23T10:00:00Z'), behind: true, ready: false },
      ],
      now,
      WINDOWS,
    );
    expect(status.replicas.map((r) => [r.instance, r.behind, r.ready])).toEqual([['lagging', true, false]]);
  });
});
