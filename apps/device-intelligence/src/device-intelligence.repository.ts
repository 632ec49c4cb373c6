import { Injectable } from '@nestjs/common';
import type {
  DeviceRiskData,
  DeviceSignals,
  DeviceStateSource,
  ModelFailurePolicy,
  ModelIntegration,
  StoredDeviceState,
} from '@zt/contracts';
import { enqueueOutbox, OutboxMessage } from '@zt/persistence';
import { DataSource } from 'typeorm';

/** The schema of device intelligence's tables and outbox. */
export const DEVICE_INTELLIGENCE_SCHEMA = 'device_intelligence';

/** The integration as stored, with who set it and when. */
export interface StoredIntegration extends ModelIntegration {
  updatedBy: string;
  updatedAt: Date;
}

/** What the service knows of one device. */
export interface StoredDevice {
  deviceId: string;
  signals: DeviceSignals;
  observedAt: Date;
  risk: DeviceRiskData | null;
  lastModelScore: number | null;
}

interface IntegrationRow {
  model_url: string;
  threshold: number;
  timeout_ms: number;
  on_failure: ModelFailurePolicy;
  updated_by: string;
  updated_at: Date;
}

interface DeviceRow {
  device_id: string;
  signals: DeviceSignals;
  observed_at: Date;
  risk: DeviceRiskData | null;
  last_model_score: number | null;
}

/** SQL of device intelligence; integration changes carry their outbox event in one transaction. */
@Injectable()
export class DeviceIntelligenceRepository implements DeviceStateSource {
  constructor(private readonly dataSource: DataSource) {}

  async integration(): Promise<StoredIntegration | null> {
    const rows: IntegrationRow[] = await this.dataSource.query(
      `SELECT model_url, threshold, timeout_ms, on_failure, updated_by, updated_at
         FROM device_intelligence.integration WHERE id = 1`,
    );
    const row = rows[0];
    if (!row) return null;
    return {
      modelUrl: row.model_url,
      threshold: row.threshold,
      timeoutMs: row.timeout_ms,
      onFailure: row.on_failure,
      updatedBy: row.updated_by,
      updatedAt: row.updated_at,
    };
  }

  async saveIntegration(integration: ModelIntegration, actor: string, event: OutboxMessage): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO device_intelligence.integration (id, model_url, threshold, timeout_ms, on_failure, updated_by, updated_at)
         VALUES (1, $1, $2, $3, $4, $5, now())
         ON CONFLICT (id) DO UPDATE SET model_url = $1, threshold = $2, timeout_ms = $3, on_failure = $4,
           updated_by = $5, updated_at = now()`,
        [integration.modelUrl, integration.threshold, integration.timeoutMs, integration.onFailure, actor],
      );
      await enqueueOutbox(manager, DEVICE_INTELLIGENCE_SCHEMA, event);
    });
  }

  /** Removes the integration; false when there was none. */
  removeIntegration(event: OutboxMessage): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows: unknown[] = await manager.query(
        `WITH gone AS (DELETE FROM device_intelligence.integration WHERE id = 1 RETURNING id) SELECT id FROM gone`,
      );
      if (rows.length === 0) return false;
      await enqueueOutbox(manager, DEVICE_INTELLIGENCE_SCHEMA, event);
      return true;
    });
  }

  /** Stores a posture unless a newer one is already stored; returns whether it was the newest. */
  async savePosture(deviceId: string, signals: DeviceSignals, observedAt: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO device_intelligence.devices (device_id, signals, observed_at) VALUES ($1, $2, $3)
       ON CONFLICT (device_id) DO UPDATE SET signals = $2, observed_at = $3
         WHERE device_intelligence.devices.observed_at <= $3
       RETURNING device_id`,
      [deviceId, JSON.stringify(signals), observedAt],
    );
    return rows.length > 0;
  }

  async device(deviceId: string): Promise<StoredDevice | null> {
    const rows: DeviceRow[] = await this.dataSource.query(
      `SELECT device_id, signals, observed_at, risk, last_model_score FROM device_intelligence.devices
        WHERE device_id = $1`,
      [deviceId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      deviceId: row.device_id,
      signals: row.signals,
      observedAt: row.observed_at,
      risk: row.risk,
      lastModelScore: row.last_model_score,
    };
  }

  /** Every device's latest posture and verdict: the decision service's state after a restart. */
  async deviceStates(): Promise<StoredDeviceState[]> {
    const rows: Omit<DeviceRow, 'last_model_score'>[] = await this.dataSource.query(
      `SELECT device_id, signals, observed_at, risk FROM device_intelligence.devices`,
    );
    return rows.map((row) => ({
      posture: { deviceId: row.device_id, signals: row.signals, observedAt: row.observed_at.toISOString() },
      risk: row.risk,
    }));
  }

  /** Records a risk verdict; a fresh model score also becomes the device's last known score. */
  async saveRisk(risk: DeviceRiskData, modelScored: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE device_intelligence.devices SET risk = $2,
         last_model_score = CASE WHEN $3 THEN $4::double precision ELSE last_model_score END,
         last_model_score_at = CASE WHEN $3 THEN now() ELSE last_model_score_at END
       WHERE device_id = $1`,
      [risk.deviceId, JSON.stringify(risk), modelScored, risk.score],
    );
  }
}
