/** Where a throttled warning is written (a Nest Logger's warn, or any sink). */
export type WarningSink = (message: string) => void;

/**
 * One warning that may fire on every request while a dependency is down (hundreds per second).
 * The first is written at once; afterwards at most one per interval, saying how many were held
 * back, so the log shows the outage without drowning in it.
 */
export class ThrottledWarning {
  private lastWritten = Number.NEGATIVE_INFINITY;
  private held = 0;

  constructor(
    private readonly sink: WarningSink,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(message: string): void {
    const now = this.now();
    if (now - this.lastWritten < this.intervalMs) {
      this.held += 1;
      return;
    }
    const suffix =
      this.held > 0
        ? ` (${this.held} more like it in the last ${Math.round((now - this.lastWritten) / 1000)} s)`
        : '';
    this.sink(`${message}${suffix}`);
    this.lastWritten = now;
    this.held = 0;
  }
}
