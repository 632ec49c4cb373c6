import {
  AdmissionApi,
  AdmissionControl,
  MIN_ADMITTED_SHARE,
  overloadedProblem,
  ShedLog,
  ShedReason,
} from './admission';
import { lateness, ownDelay } from './event-loop-delay';

function control(maxInFlight: number, maxEventLoopDelayMs: number) {
  const admission = new AdmissionControl({ maxInFlight, maxEventLoopDelayMs });
  const shed: Array<[AdmissionApi, ShedReason]> = [];
  admission.onShed((api, reason) => shed.push([api, reason]));
  return { admission, shed };
}

describe('AdmissionControl', () => {
  it('refuses past the in-flight limit and admits again once a request is released', () => {
    const { admission, shed } = control(2, 0);
    expect(admission.tryAdmit('http')).toBe(true);
    expect(admission.tryAdmit('grpc_decide')).toBe(true);
    expect(admission.tryAdmit('grpc_check')).toBe(false);
    expect(shed).toEqual([['grpc_check', 'in_flight']]);
    expect(admission.inFlight).toBe(2);
    admission.release();
    expect(admission.tryAdmit('http')).toBe(true);
    expect(admission.inFlight).toBe(2);
  });

  it('does not count refused requests as in flight', () => {
    const { admission } = control(1, 0);
    admission.tryAdmit('http');
    for (let i = 0; i < 5; i++) admission.tryAdmit('http');
    admission.release();
    expect(admission.inFlight).toBe(0);
    expect(admission.tryAdmit('http')).toBe(true);
  });

  /** How many of `n` requests are admitted. */
  const admittedOf = (admission: AdmissionControl, n: number) =>
    Array.from({ length: n }, () => admission.tryAdmit('http')).filter(Boolean).length;

  it('admits a smaller share, evenly spread, while the loop is later than the limit at two samples in a row', () => {
    const { admission, shed } = control(0, 20);
    admission.recordEventLoopDelay(20);
    admission.recordEventLoopDelay(20);
    expect(admission.admittedShare).toBe(1);
    admission.recordEventLoopDelay(30);
    expect(admission.admittedShare).toBe(1);
    admission.recordEventLoopDelay(20.5);
    expect(admission.admittedShare).toBeCloseTo(0.8);
    const decisions = Array.from({ length: 10 }, () => admission.tryAdmit('grpc_decide'));
    expect(decisions.filter(Boolean)).toHaveLength(8);
    // Never two refusals in a row at 80%.
    expect(decisions.join()).not.toContain('false,false');
    expect(shed).toHaveLength(2);
    expect(shed[0]).toEqual(['grpc_decide', 'event_loop_delay']);
  });

  it('cuts the share at every late sample down to the floor, and climbs back to all once the loop catches up', () => {
    const { admission } = control(0, 20);
    for (let i = 0; i < 50; i++) admission.recordEventLoopDelay(100);
    expect(admission.admittedShare).toBe(MIN_ADMITTED_SHARE);
    expect(admittedOf(admission, 1000)).toBe(100);
    for (let i = 0; i < 5; i++) admission.recordEventLoopDelay(1);
    expect(admission.admittedShare).toBeGreaterThan(MIN_ADMITTED_SHARE);
    expect(admission.admittedShare).toBeLessThan(1);
    for (let i = 0; i < 20; i++) admission.recordEventLoopDelay(1);
    expect(admission.admittedShare).toBe(1);
    expect(admittedOf(admission, 1000)).toBe(1000);
  });

  it('lets one long pause of the loop pass without refusing anything', () => {
    const { admission } = control(0, 20);
    admission.recordEventLoopDelay(1);
    admission.recordEventLoopDelay(400);
    expect(admittedOf(admission, 100)).toBe(100);
    admission.recordEventLoopDelay(2);
    expect(admittedOf(admission, 100)).toBe(100);
  });

  it('names the in-flight limit when both are exceeded', () => {
    const { admission, shed } = control(1, 5);
    admission.tryAdmit('http');
    admission.recordEventLoopDelay(50);
    admission.recordEventLoopDelay(50);
    expect(admission.tryAdmit('http')).toBe(false);
    expect(shed).toEqual([['http', 'in_flight']]);
  });

  it('admits everything when both limits are 0, and says it is off', () => {
    const { admission, shed } = control(0, 0);
    admission.recordEventLoopDelay(10_000);
    admission.recordEventLoopDelay(10_000);
    for (let i = 0; i < 10_000; i++) expect(admission.tryAdmit('http')).toBe(true);
    expect(shed).toEqual([]);
    expect(admission.enabled).toBe(false);
    expect(control(1, 0).admission.enabled).toBe(true);
    expect(control(0, 1).admission.enabled).toBe(true);
  });

  it('never counts below zero when released more often than admitted', () => {
    const { admission } = control(1, 0);
    admission.release();
    expect(admission.inFlight).toBe(0);
    expect(admission.tryAdmit('http')).toBe(true);
    expect(admission.tryAdmit('http')).toBe(false);
  });
});

describe('overloadedProblem', () => {
  it('is a 503 OVERLOADED asking the caller to retry after a second', () => {
    const problem = overloadedProblem();
    expect(problem.status).toBe(503);
    expect(problem.code).toBe('OVERLOADED');
    expect(problem.title).toBe('Service Unavailable');
    expect(problem.extra.headers).toEqual({ 'retry-after': '1' });
  });
});

describe('ShedLog', () => {
  it('writes at most one line per interval, summing up the refusals since the last one', () => {
    let now = 1_000;
    const lines: Array<Record<string, number>> = [];
    const log = new ShedLog(
      10_000,
      (summary) => lines.push({ ...summary }),
      () => now,
    );
    log.record('http', 'event_loop_delay');
    for (let i = 0; i < 500; i++) log.record('http', 'event_loop_delay');
    log.record('grpc_check', 'in_flight');
    expect(lines).toEqual([{ 'http/event_loop_delay': 1 }]);
    now += 9_999;
    log.record('http', 'event_loop_delay');
    expect(lines).toHaveLength(1);
    now += 1;
    log.record('http', 'in_flight');
    expect(lines).toEqual([
      { 'http/event_loop_delay': 1 },
      { 'http/event_loop_delay': 501, 'grpc_check/in_flight': 1, 'http/in_flight': 1 },
    ]);
  });
});

describe('lateness', () => {
  it('is how long after its due time a timer fired, never negative', () => {
    expect(lateness(100, 112.5)).toBe(12.5);
    expect(lateness(100, 99)).toBe(0);
  });
});

describe('ownDelay', () => {
  it('counts the whole lateness of a loop that was on the CPU all along', () => {
    expect(ownDelay(40, 50, 50)).toBe(40);
    expect(ownDelay(40, 50, 70)).toBe(40);
  });

  it('discounts lateness while the host gave the core to others', () => {
    expect(ownDelay(40, 50, 5)).toBe(4);
    expect(ownDelay(40, 0, 0)).toBe(0);
  });
});
