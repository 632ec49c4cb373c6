import { MAX_REPLAY_PAGE, parseRecordedDecisionsQuery } from './recorded-decisions.query';

describe('parseRecordedDecisionsQuery', () => {
  it('defaults to a page of 1000 newest records, and reads cursor and window', () => {
    expect(parseRecordedDecisionsQuery({})).toEqual({ query: { limit: 1000 } });
    expect(
      parseRecordedDecisionsQuery({
        limit: '10',
        cursor: '42',
        from: '2026-12-01T00:00:00Z',
        to: '2026-12-02T00:00:00Z',
      }),
    ).toEqual({
      query: {
        limit: 10,
        before: 42,
        from: new Date('2026-12-01T00:00:00Z'),
        to: new Date('2026-12-02T00:00:00Z'),
      },
    });
  });

  it('refuses what is out of bounds or not an instant, with the parameter as pointer', () => {
    const result = parseRecordedDecisionsQuery({
      limit: String(MAX_REPLAY_PAGE + 1),
      cursor: '-1',
      from: '1',
      to: 'tomorrow',
    });
    expect(result).toEqual({
      errors: [
        { pointer: '/limit', detail: expect.any(String) },
        { pointer: '/cursor', detail: expect.any(String) },
        { pointer: '/from', detail: expect.any(String) },
        { pointer: '/to', detail: expect.any(String) },
      ],
    });
    expect(parseRecordedDecisionsQuery({ cursor: '1e3' })).toHaveProperty('errors');
    expect(parseRecordedDecisionsQuery({ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toEqual(
      { errors: [{ pointer: '/from', detail: 'must be before to' }] },
    );
  });
});
