import type { DeliveryInfo } from './message-bus';

/**
 * How far a consumer has read a topic against how far the topic goes: the offset it last passed
 * (handled or skipped) per partition, and the end offsets it has been told of. A consumer that
 * keeps state from a topic (policy set, device verdicts) uses it twice: to say ready only once it
 * has read everything published before it started, and afterwards to know, not guess, that it is
 * behind when the broker holds messages it has not applied.
 */
export class StreamPosition {
  private readonly passedOffsets = new Map<number, bigint>();
  private readonly ends = new Map<number, bigint>();

  /** Takes the topic's end offsets (Kafka's high watermarks); an end never moves back. */
  expect(endOffsets: Map<number, bigint>): void {
    for (const [partition, end] of endOffsets) {
      if (end > (this.ends.get(partition) ?? 0n)) this.ends.set(partition, end);
    }
  }

  /** Records a message as passed; deliveries without an offset (in-process bus) change nothing. */
  pass(info: Pick<DeliveryInfo, 'partition' | 'offset'>): void {
    if (info.partition === undefined || info.offset === undefined) return;
    const offset = BigInt(info.offset);
    if (offset > (this.passedOffsets.get(info.partition) ?? -1n))
      this.passedOffsets.set(info.partition, offset);
  }

  /** Messages known to exist that this consumer has not passed yet. */
  lag(): bigint {
    let total = 0n;
    for (const [partition, end] of this.ends) {
      const next = (this.passedOffsets.get(partition) ?? -1n) + 1n;
      if (end > next) total += end - next;
    }
    return total;
  }

  /** True when every message known to exist has been passed. */
  caughtUp(): boolean {
    return this.lag() === 0n;
  }
}
