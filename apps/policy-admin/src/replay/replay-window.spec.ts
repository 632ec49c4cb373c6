import { DEFAULT_REPLAY_LIMIT, parseReplayWindow } from './replay-window';

describe('parseReplayWindow', () => {
  it('defaults to the newest 100,000 decisions, and keeps a window as given', () => {
    expect(parseReplayWindow(undefined)).toEqual({ window: { limit: DEFAULT_REPLAY_LIMIT } });
    expect(parseReplayWindow({ from: '2026-12-01T00:00:00Z', limit: 5 })).toEqual({
      window: { limit: 5, from: '2026-12-01T00:00:00Z' },
    });
  });

  it('answers errors under /replay', () => {
    const result = parseReplayWindow({ limit: 0, to: 'now', more: 1 });
    expect('errors' in result && result.errors.map((e) => e.pointer).sort()).toEqual([
      '/replay/limit',
      '/replay/more',
      '/replay/to',
    ]);
    expect(parseReplayWindow('all')).toEqual({
      errors: [{ pointer: '/replay', detail: expect.any(String) }],
    });
    expect(parseReplayWindow({ from: '2026-12-31T23:59:60Z' })).toEqual({
      errors: [{ pointer: '/replay/from', detail: 'must be an instant this server can read' }],
    });
    expect(parseReplayWindow({ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toEqual({
      errors: [{ pointer: '/replay/from', detail: 'must be before to' }],
    });
  });
});
