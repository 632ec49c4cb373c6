import { contextAt } from './time-travel.service';

describe('contextAt', () => {
  const at = new Date('2025-03-01T09:00:00Z');

  it('sets the clock of a past question to the instant asked about', () => {
    expect(contextAt(undefined, at)).toEqual({ time: '2025-03-01T09:00:00.000Z' });
    expect(contextAt({ country: 'DE' }, at)).toEqual({ country: 'DE', time: '2025-03-01T09:00:00.000Z' });
  });

  it('keeps a time the request names itself', () => {
    const context = { time: '2025-03-01T23:00:00Z' };
    expect(contextAt(context, at)).toBe(context);
  });
});
