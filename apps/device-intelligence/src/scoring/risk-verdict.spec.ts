import type { ModelIntegration } from '@zt/contracts';
import { ModelCallError } from './model-client';
import { verdictFromScore, verdictOnFailure } from './risk-verdict';

const at = new Date('2026-11-23T10:00:00Z');
const subject = { deviceId: 'laptop-1', observedAt: new Date('2026-11-23T09:59:00Z'), lastModelScore: null };
const integration = (onFailure: ModelIntegration['onFailure']): ModelIntegration => ({
  modelUrl: 'http://model/score',
  threshold: 0.75,
  timeoutMs: 500,
  onFailure,
});
const down = new ModelCallError('timeout', 'the model did not answer in time');

describe('verdictFromScore', () => {
  it('restricts only scores above the threshold', () => {
    const answer = (score: number) => ({ score, model: 'm', explanation: [] });
    expect(verdictFromScore(subject, integration('deny'), answer(0.75), at).restricted).toBe(false);
    expect(verdictFromScore(subject, integration('deny'), answer(0.7501), at).restricted).toBe(true);
    expect(verdictFromScore(subject, integration('deny'), answer(0.82), at)).toMatchObject({
      deviceId: 'laptop-1',
      score: 0.82,
      threshold: 0.75,
      observedAt: '2026-11-23T09:59:00.000Z',
      at: '2026-11-23T10:00:00.000Z',
    });
  });
});

describe('verdictOnFailure', () => {
  it('restricts on deny and lets through on allow, naming the failure', () => {
    expect(verdictOnFailure(subject, integration('deny'), down, at)).toMatchObject({
      restricted: true,
      score: null,
      failure: 'timeout',
    });
    expect(verdictOnFailure(subject, integration('allow'), down, at)).toMatchObject({
      restricted: false,
      failure: 'timeout',
    });
  });

  it('judges the last known score on last_known, and fails closed without one', () => {
    const known = (score: number) => ({ ...subject, lastModelScore: score });
    expect(verdictOnFailure(known(0.2), integration('last_known'), down, at)).toMatchObject({
      restricted: false,
      score: 0.2,
    });
    expect(verdictOnFailure(known(0.9), integration('last_known'), down, at).restricted).toBe(true);
    const none = verdictOnFailure(subject, integration('last_known'), down, at);
    expect(none.restricted).toBe(true);
    expect(none.explanation[0]).toMatch(/none known: deny/);
  });
});
