import type { Logger as Pino } from 'pino';
import { AdmissionApi, AdmissionControl, ShedLog, ShedReason } from '@zt/http';
import { Counter, Gauge, Registry } from 'prom-client';

/** How often, at most, the log says that requests are being refused. */
const SHED_LOG_INTERVAL_MS = 10_000;

const APIS: readonly AdmissionApi[] = ['http', 'grpc_decide', 'grpc_check'];
const REASONS: readonly ShedReason[] = ['in_flight', 'event_loop_delay'];

/**
 * Makes admission control observable: `zt_requests_shed_total{api,reason}`, the requests in
 * flight and the event loop's delay as admission sees them, and one warning at most every ten
 * seconds summing up what was refused (never a line per request).
 */
export function observeAdmission(admission: AdmissionControl, metrics: Registry, logger: Pino): void {
  const shed = new Counter({
    name: 'zt_requests_shed_total',
    help: 'Requests refused by admission control (503 OVERLOADED, gRPC RESOURCE_EXHAUSTED), by API and reason.',
    labelNames: ['api', 'reason'],
    registers: [metrics],
  });
  // Children bound once: a labelled inc() hashes its labels on every call, and under overload
  // this runs for most requests.
  const children = new Map<string, Counter.Internal>();
  for (const api of APIS)
    for (const reason of REASONS) children.set(`${api}/${reason}`, shed.labels(api, reason));
  new Gauge({
    name: 'zt_requests_in_flight',
    help: 'Requests admitted and not yet answered (ADMISSION_MAX_IN_FLIGHT bounds it).',
    registers: [metrics],
    collect() {
      this.set(admission.inFlight);
    },
  });
  new Gauge({
    name: 'zt_admission_event_loop_delay_seconds',
    help: 'How late the event loop ran at its last sample (ADMISSION_EVENT_LOOP_DELAY_MS bounds it).',
    registers: [metrics],
    collect() {
      this.set(admission.eventLoopDelayMs / 1000);
    },
  });
  new Gauge({
    name: 'zt_admission_admitted_share',
    help: 'Share of requests admitted while the event loop is late (1: all; see ADMISSION_EVENT_LOOP_DELAY_MS).',
    registers: [metrics],
    collect() {
      this.set(admission.admittedShare);
    },
  });
  const log = new ShedLog(SHED_LOG_INTERVAL_MS, (refused) =>
    logger.warn(
      {
        refused,
        inFlight: admission.inFlight,
        eventLoopDelayMs: Math.round(admission.eventLoopDelayMs),
        admittedShare: Number(admission.admittedShare.toFixed(2)),
      },
      'past capacity: refusing requests with 503 / RESOURCE_EXHAUSTED (counts since the last such line)',
    ),
  );
  admission.onShed((api, reason) => {
    children.get(`${api}/${reason}`)?.inc();
    log.record(api, reason);
  });
}
