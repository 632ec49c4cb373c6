import fc from 'fast-check';
import { Operation, operationName } from './api-operations';
import { answerViolations, reproduction, Violation } from './answer-checks';
import { FuzzSettings } from './fuzz-settings';
import { Category, FuzzCase, FuzzContext } from './fuzz-requests';
import { sendRaw } from './raw-http';
import { StateProbe, StoredState } from './state-probe';

const BODY_ROUNDS = 3;

/** One class of failure (a check and a kind of input), the operations it hit and one request that shows it. */
interface FailureClass {
  operations: Set<string>;
  example: string;
}

/**
 * Sends fuzz cases one at a time and checks every answer: no 5xx, errors as problem+json, an
 * answer within the timeout, nothing stored or changed on a 4xx, and a healthy process after each
 * round. Keeps going after a failure, so one run lists every failure class, not just the first.
 */
export class FuzzRunner {
  private readonly failures = new Map<string, FailureClass>();
  /** The settled state after the last request, when that request could not have changed it. */
  private known?: StoredState;

  constructor(
    private readonly baseUrl: string,
    private readonly probe: StateProbe,
    private readonly settings: FuzzSettings,
    private readonly tokenNames: Map<string, string>,
    /** Where to note each request, its answer's status and time (FUZZ_TRACE), for tuning. */
    private readonly trace?: (line: string) => void,
  ) {}

  /**
   * Runs rounds of a category, each one generated request for every operation it applies to.
   * Body categories reach about a third of the operations, so they get three times the rounds.
   */
  async runCategory(operations: Operation[], context: FuzzContext, category: Category): Promise<void> {
    const driven = category.bodiesOnly ? operations.filter((operation) => operation.body) : operations;
    const round = fc.tuple(...driven.map((operation) => category.requests(operation, context)));
    const runs = category.bodiesOnly ? this.settings.runs * BODY_ROUNDS : this.settings.runs;
    await fc.assert(
      fc.asyncProperty(round, async (cases) => {
        for (const fuzzCase of cases) await this.send(fuzzCase);
        await this.checkHealthy(cases[cases.length - 1]);
      }),
      { seed: this.settings.seed, numRuns: runs, endOnFailure: true },
    );
  }

  /** Every failure class seen so far, with a reproduction each; empty when all held. */
  report(): string {
    const lines = [...this.failures.entries()].map(
      ([name, failure]) =>
        `* ${name}, on ${[...failure.operations].join(', ')}; for example:\n${failure.example}`,
    );
    this.failures.clear();
    if (lines.length === 0) return '';
    const replay = `FUZZ_SEED=${this.settings.seed} FUZZ_RUNS=${this.settings.runs}`;
    return `${lines.length} failure classes (seed ${this.settings.seed}; replay: ${replay} npm run fuzz):\n${lines.join('\n')}`;
  }

  private async send(fuzzCase: FuzzCase): Promise<void> {
    const before = this.known ?? (await this.probe.settledState());
    this.known = undefined;
    let violations: Violation[];
    let status = 0;
    try {
      const started = Date.now();
      const response = await sendRaw(this.baseUrl, fuzzCase.request, this.settings.requestTimeoutMs);
      status = response.status;
      this.trace?.(
        `${status} ${Date.now() - started}ms ${operationName(fuzzCase.operation)} ${fuzzCase.kind}`,
      );
      violations = answerViolations(response);
      if (fuzzCase.expectedStatus && status !== fuzzCase.expectedStatus) {
        violations.push({
          check: `${status} instead of ${fuzzCase.expectedStatus}`,
          detail: response.body.toString('utf8').slice(0, 300),
        });
      }
    } catch (error) {
      violations = [{ check: 'no answer', detail: error instanceof Error ? error.message : String(error) }];
    }
    if (status >= 400 && status < 500) {
      const after = await this.probe.settledState();
      if (after.revision !== before.revision || after.auditHead !== before.auditHead) {
        violations.push({
          check: `state changed on ${status}`,
          detail: `revision ${before.revision} -> ${after.revision}, audit head ${before.auditHead} -> ${after.auditHead}`,
        });
      }
      this.known = after;
    }
    for (const violation of violations) this.record(fuzzCase, violation, status);
  }

  private record(fuzzCase: FuzzCase, violation: Violation, status: number): void {
    const name = `${violation.check} on ${fuzzCase.kind}`;
    const seen = this.failures.get(name);
    if (seen) {
      seen.operations.add(operationName(fuzzCase.operation));
      return;
    }
    const example = `  ${fuzzCase.change} -> ${status || 'no answer'} ${violation.detail}\n${reproduction(
      fuzzCase,
      this.tokenNames,
    )
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n')}`;
    this.failures.set(name, { operations: new Set([operationName(fuzzCase.operation)]), example });
  }

  private async checkHealthy(last: FuzzCase): Promise<void> {
    try {
      const health = await sendRaw(
        this.baseUrl,
        { method: 'GET', target: '/healthz', headers: [] },
        this.settings.requestTimeoutMs,
      );
      if (health.status === 200) return;
      this.record(
        last,
        { check: 'unhealthy after the round', detail: `/healthz ${health.status}` },
        health.status,
      );
    } catch (error) {
      this.record(last, { check: 'unhealthy after the round', detail: String(error) }, 0);
    }
  }
}
