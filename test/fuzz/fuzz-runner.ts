import fc from 'fast-check';
import { Operation, operationName } from './api-operations';
import { answerViolations, reproduction, Violation } from './answer-checks';
import { FuzzSettings } from './fuzz-settings';
import { Category, FuzzCase, FuzzContext } from './fuzz-requests';
import { sendRaw } from './raw-http';
import { StateProbe, StoredState } from './state-probe';

const BODY_ROUNDS = 3;

/** One class of failure (a check and a kind of input), where it was seen and one request that shows it. */
interface FailureClass {
  places: Set<string>;
  example: string;
}

/**
 * Failures grouped by class, so that a run that keeps going after a failure reports each class
 * once, with every place it was seen (an operation, a gRPC method) and its first example.
 */
export class FailureClasses {
  private readonly classes = new Map<string, FailureClass>();

  /** Notes one failure; `example` is only built for the first of its class. */
  add(name: string, place: string, example: () => string): void {
    const seen = this.classes.get(name);
    if (seen) seen.places.add(place);
    else this.classes.set(name, { places: new Set([place]), example: example() });
  }

  /** Every class with its example and how to replay the run, then forgets them; empty when none. */
  report(settings: FuzzSettings, replay = 'npm run fuzz'): string {
    const lines = [...this.classes.entries()].map(
      ([name, failure]) =>
        `* ${name}, on ${[...failure.places].join(', ')}; for example:\n${failure.example}`,
    );
    this.classes.clear();
    if (lines.length === 0) return '';
    const command = `FUZZ_SEED=${settings.seed} FUZZ_RUNS=${settings.runs} ${replay}`;
    return `${lines.length} failure classes (seed ${settings.seed}; replay: ${command}):\n${lines.join('\n')}`;
  }
}

/**
 * Sends fuzz cases one at a time and checks every answer: no 5xx, errors as problem+json, an
 * answer within the timeout, nothing stored or changed on a 4xx, and a healthy process after each
 * round. Keeps going after a failure, so one run lists every failure class, not just the first.
 */
export class FuzzRunner {
  private readonly failures = new FailureClasses();
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
    return this.failures.report(this.settings);
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
    this.failures.add(`${violation.check} on ${fuzzCase.kind}`, operationName(fuzzCase.operation), () =>
      [
        `  ${fuzzCase.change} -> ${status || 'no answer'} ${violation.detail}`,
        ...reproduction(fuzzCase, this.tokenNames)
          .split('\n')
          .map((line) => `  ${line}`),
      ].join('\n'),
    );
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
