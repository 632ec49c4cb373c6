import { INestApplication } from '@nestjs/common';
import { InProcessBus, MessageBus } from '@zt/messaging';
import { DecisionLogPublisher } from '../../apps/decision/src/decision-log/decision-log.publisher';
import { DeviceIntelligenceOutboxRelay } from '../../apps/device-intelligence/src/device-intelligence.outbox';
import { PolicyAdminOutboxRelay } from '../../apps/policy-admin/src/outbox/outbox.relay';
import { sendRaw } from './raw-http';

/** What a rejected request must leave as it was: the policy revision and the audit trail's head. */
export interface StoredState {
  revision: number;
  auditHead: number;
}

// Audit records arrive after the answer that caused them (outbox relays, the decision log
// buffer, the bus). A pass publishes whatever is pending and waits until every consumer has
// handled it; a pass that found nothing in the outboxes proves nothing earlier is on its way
// (no consumer writes to an outbox, and relay transactions are serialized on the embedded database).
const PAGE = 500;

/**
 * Reads the stored state through the API, after making the standalone process publish and
 * record everything already caused, so that a change seen across one request is that request's.
 * API probes: `GET /v1/zt-policy/status` (revision) and `GET /v1/zt-policy/audit/events` from
 * the last known sequence number (only new records are read, so it stays cheap as the trail grows).
 */
export class StateProbe {
  private auditHead = 0;

  constructor(
    private readonly app: INestApplication,
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** Publishes and records everything pending, then reads revision and audit head. */
  async settledState(): Promise<StoredState> {
    await this.settle();
    return { revision: await this.revision(), auditHead: await this.readAuditHead() };
  }

  private async settle(): Promise<void> {
    const relays = [this.app.get(PolicyAdminOutboxRelay), this.app.get(DeviceIntelligenceOutboxRelay)];
    const decisionLog = this.app.get(DecisionLogPublisher);
    const bus = this.app.get<MessageBus>(MessageBus);
    if (!(bus instanceof InProcessBus)) throw new Error('the fuzz state probe needs the standalone bus');
    for (let published = 1; published > 0;) {
      published = 0;
      for (const relay of relays) published += await relay.relayAll();
      await decisionLog.flush();
      await bus.idle();
    }
  }

  private async revision(): Promise<number> {
    const body = await this.getJson('/v1/zt-policy/status');
    return (body as { revision: number }).revision;
  }

  private async readAuditHead(): Promise<number> {
    for (;;) {
      const page = (await this.getJson(
        `/v1/zt-policy/audit/events?limit=${PAGE}&cursor=${this.auditHead}`,
      )) as {
        items: { seq: number }[];
      };
      if (page.items.length > 0) this.auditHead = page.items[page.items.length - 1].seq;
      if (page.items.length < PAGE) return this.auditHead;
    }
  }

  private async getJson(target: string): Promise<unknown> {
    const response = await sendRaw(
      this.baseUrl,
      { method: 'GET', target, headers: [['authorization', `Bearer ${this.token}`]] },
      10_000,
    );
    if (response.status !== 200) throw new Error(`state probe ${target} answered ${response.status}`);
    return JSON.parse(response.body.toString('utf8'));
  }
}
