import { Injectable } from '@nestjs/common';

/** A dependency's answer to "can you serve?": up or not, and optional facts for operators. */
export interface ReadinessResult {
  ready: boolean;
  /**
   * Serving, but not at full strength (a dependency it can do without is down, or its data may
   * be out of date): /readyz still answers 200, with status "degraded", so balancers keep the
   * instance while operators see why.
   */
  degraded?: boolean;
  detail?: Record<string, unknown>;
}

export type ReadinessCheck = () => Promise<ReadinessResult>;

/** Collects the readiness checks of every module; /readyz asks all of them. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  /** Adds a named check; a second registration of one name replaces the first. */
  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Runs every check (bounded by a timeout, so a hung dependency reads as not ready). */
  async evaluate(
    timeoutMs = 2_000,
  ): Promise<{ ready: boolean; degraded: boolean; checks: Record<string, ReadinessResult> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<[string, ReadinessResult]> => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<ReadinessResult>((resolve) => {
          timer = setTimeout(() => resolve({ ready: false, detail: { error: 'timed out' } }), timeoutMs);
        });
        try {
          return [name, await Promise.race([check(), timeout])];
        } catch (error) {
          return [
            name,
            { ready: false, detail: { error: error instanceof Error ? error.message : String(error) } },
          ];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    return {
      ready: entries.every(([, r]) => r.ready),
      degraded: entries.some(([, r]) => r.degraded === true),
      checks,
    };
  }
}
