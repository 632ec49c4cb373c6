import { createCloudEvent, Topics } from '@zt/contracts';
import { publishWithin, PublishTimeoutError } from './bounded-publish';
import { InProcessBus } from './in-process-bus';

class HungBus extends InProcessBus {
  override publish(): Promise<void> {
    return new Promise(() => undefined);
  }
}

const message = { key: 'k', event: createCloudEvent({ source: '/t', type: 't', data: {} }) };

describe('publishWithin', () => {
  it('resolves as the send does', async () => {
    await expect(
      publishWithin(new InProcessBus(), Topics.deviceRisk, [message], 1_000),
    ).resolves.toBeUndefined();
  });

  it('gives up on a send the bus never confirms', async () => {
    await expect(publishWithin(new HungBus(), Topics.deviceRisk, [message], 10)).rejects.toBeInstanceOf(
      PublishTimeoutError,
    );
  });
});
