import { StreamPosition } from './stream-position';

describe('StreamPosition', () => {
  it('is caught up with an empty topic and with nothing expected', () => {
    const position = new StreamPosition();
    expect(position.caughtUp()).toBe(true);
    position.expect(new Map([[0, 0n]]));
    expect(position.caughtUp()).toBe(true);
  });

  it('counts the messages between what was passed and the end, per partition', () => {
    const position = new StreamPosition();
    position.expect(
      new Map([
        [0, 5n],
        [1, 2n],
      ]),
    );
    expect(position.lag()).toBe(7n);
    position.pass({ partition: 0, offset: '3' });
    position.pass({ partition: 1, offset: '1' });
    expect(position.lag()).toBe(1n);
    position.pass({ partition: 0, offset: '4' });
    expect(position.caughtUp()).toBe(true);
  });

  it('never moves an end or a passed offset back', () => {
    const position = new StreamPosition();
    position.expect(new Map([[0, 10n]]));
    position.expect(new Map([[0, 4n]]));
    position.pass({ partition: 0, offset: '9' });
    position.pass({ partition: 0, offset: '2' });
    expect(position.caughtUp()).toBe(true);
    position.expect(new Map([[0, 12n]]));
    expect(position.lag()).toBe(2n);
  });

  it('ignores deliveries without offsets (the in-process bus)', () => {
    const position = new StreamPosition();
    position.expect(new Map([[0, 1n]]));
    position.pass({});
    expect(position.lag()).toBe(1n);
  });
});
