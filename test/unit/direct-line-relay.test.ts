/**
 * The relay's answer when Redis hangs with the connection still open: a publish that never
 * settles. The agent must learn the message was not sent (503, try again), not wait for ever and
 * not be told the customer has gone (404). Real Redis cannot be made to hang on cue, so the bus is
 * a stand-in whose publish never settles.
 */
import pino from 'pino';
import { DirectLineRelay } from '../../channels/directline/direct-line-relay';
import type { EventBus } from '../../events/event-bus';

const stalledBus: EventBus = {
  kind: 'redis',
  publish: () => new Promise<void>(() => undefined),
  subscribe: async () => async () => undefined,
  close: async () => undefined,
};

describe('DirectLineRelay with a publish that never settles', () => {
  it('gives up at the receipt timeout with ATTUNE_EVENT_BUS_UNAVAILABLE', async () => {
    const relay = new DirectLineRelay(stalledBus, pino({ level: 'silent' }), 200);
    await relay.start(() => undefined);
    const started = Date.now();
    await expect(relay.send('held-elsewhere', { type: 'message', text: 'hello?' })).rejects.toMatchObject({ code: 'ATTUNE_EVENT_BUS_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(2000);
    await relay.close();
  });
});
