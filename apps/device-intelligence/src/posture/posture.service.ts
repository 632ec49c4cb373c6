import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  createCloudEvent,
  DevicePostureEventData,
  DeviceSignals,
  EventSources,
  EventTypes,
  observedAtProblem,
  Topics,
} from '@zt/contracts';
import { dependencyOutageProblem, validationProblem } from '@zt/http';
import { MessageBus, OutgoingMessage, publishWithin } from '@zt/messaging';
import { postureBodyErrors } from './posture-body.schema';

// An agent is answered within this even while the broker is down (503, retry later).
const PUBLISH_TIMEOUT_MS = 5_000;

interface PostureReport {
  device_id: string;
  signals: DeviceSignals;
  observed_at?: string;
}

/** Takes posture reports from agents and puts them on `zt.device.posture` for scoring. */
@Injectable()
export class PostureService {
  private readonly logger = new Logger('PostureService');

  constructor(@Inject(MessageBus) private readonly bus: MessageBus) {}

  /** Validates and publishes; resolves once the bus holds every report durably. */
  async report(body: unknown, correlationId?: string): Promise<{ accepted: number; device_ids: string[] }> {
    const errors = postureBodyErrors(body);
    const reports = (Array.isArray(body) ? body : [body]) as PostureReport[];
    const now = Date.now();
    if (errors.length === 0) {
      reports.forEach((r, index) => {
        // The rule the bus consumers hold every posture event to as well.
        const problem = r.observed_at === undefined ? undefined : observedAtProblem(r.observed_at, now);
        if (problem) {
          const pointer = Array.isArray(body) ? `/${index}/observed_at` : '/observed_at';
          errors.push({ pointer, detail: problem });
        }
      });
    }
    if (errors.length > 0) throw validationProblem(errors);
    const messages = reports.map((r): OutgoingMessage<DevicePostureEventData> => {
      // snake_case on the bus, as in the body (the schema of `/asyncapi.json`).
      const data: DevicePostureEventData = {
        device_id: r.device_id,
        signals: r.signals,
        observed_at: new Date(r.observed_at ?? now).toISOString(),
      };
      return {
        key: r.device_id,
        event: createCloudEvent({
          source: EventSources.deviceIntelligence,
          type: EventTypes.devicePosture,
          subject: r.device_id,
          data,
          correlationId,
        }),
      };
    });
    try {
      await publishWithin(this.bus, Topics.devicePosture, messages, PUBLISH_TIMEOUT_MS);
    } catch (error) {
      this.logger.warn(`posture not queued: ${String(error)}`);
      throw dependencyOutageProblem();
    }
    return { accepted: messages.length, device_ids: reports.map((r) => r.device_id) };
  }
}
