import type { DeviceRiskData, ModelIntegration } from '@zt/contracts';
import type { ModelAnswer, ModelCallError } from './model-client';

/** What is known when a device is scored: its posture's time and its last model score, if any. */
export interface ScoringSubject {
  deviceId: string;
  observedAt: Date;
  lastModelScore: number | null;
}

/** The verdict on a fresh model answer: restricted when the score is ABOVE the threshold (seed). */
export function verdictFromScore(
  subject: ScoringSubject,
  integration: ModelIntegration,
  answer: ModelAnswer,
  at: Date,
): DeviceRiskData {
  return {
    deviceId: subject.deviceId,
    score: answer.score,
    model: answer.model,
    threshold: integration.threshold,
    restricted: answer.score > integration.threshold,
    explanation: answer.explanation,
    observedAt: subject.observedAt.toISOString(),
    at: at.toISOString(),
  };
}

/**
 * The verdict when the model gave no score, as the integration's on_failure says: `deny`
 * restricts, `allow` does not, `last_known` judges the device's last model score and falls back
 * to restricting when there is none (fail closed).
 */
export function verdictOnFailure(
  subject: ScoringSubject,
  integration: ModelIntegration,
  failure: ModelCallError,
  at: Date,
): DeviceRiskData {
  const known = integration.onFailure === 'last_known' ? subject.lastModelScore : null;
  const restricted =
    integration.onFailure === 'allow' ? false : known === null ? true : known > integration.threshold;
  const how =
    integration.onFailure === 'last_known' && known !== null
      ? `last known score ${known} used`
      : `on_failure ${integration.onFailure === 'last_known' ? 'last_known (none known: deny)' : integration.onFailure}`;
  return {
    deviceId: subject.deviceId,
    score: known,
    model: 'unavailable',
    threshold: integration.threshold,
    restricted,
    failure: failure.reason,
    explanation: [`risk model failed (${failure.reason}: ${failure.message}); ${how}`],
    observedAt: subject.observedAt.toISOString(),
    at: at.toISOString(),
  };
}
