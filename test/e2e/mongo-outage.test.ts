/**
 * MongoDB becomes unreachable under a running `node dist/index.js` (the MongoDB-compatible test
 * server is stopped, then started again on the same port): /readyz says 503 and names the storage,
 * a customer's message is answered with a short apology within a bound instead of hanging, and once
 * the server is back the bot is ready and answers normally again without a restart.
 */
import { randomBytes } from 'node:crypto';
import { startAttuneProcess, type AttuneProcess } from '../support/attune-process';
import { ScriptedCustomer, templateOf } from '../support/customer';
import { FakeConnector } from '../support/fake-connector';
import { startJongodb, type JongodbServer } from '../support/jongodb';

/**
 * A stopped server refuses connections at once; a frozen one is given up after the driver's
 * socket timeout (3 s) on the open connection and the connect timeout (2 s) on a new one, and a
 * turn may meet both before it fails. Measured: about 0.5 s stopped, about 7 s frozen.
 */
const APOLOGY_WITHIN_MS = 10_000;
const RECOVERY_WITHIN_MS = 30_000;

describe('MongoDB outage', () => {
  const connector = new FakeConnector();
  let mongo: JongodbServer;
  let port: number;
  let uri: string;
  let attune: AttuneProcess;

  beforeAll(async () => {
    await connector.start();
    mongo = await startJongodb();
    port = Number(new URL(mongo.uri).port);
    uri = `mongodb://127.0.0.1:${port}/attune-outage-${randomBytes(4).toString('hex')}`;
    attune = await startAttuneProcess({ MONGODB_URI: uri });
  });

  afterAll(async () => {
    await attune?.stop();
    await mongo?.stop();
    await connector.stop();
  });

  const readiness = async () => {
    const response = await fetch(`${attune.url}/readyz`);
    return { status: response.status, body: (await response.json()) as { status: string; storage: string } };
  };

  it('reports the outage, apologises within a bound, and recovers without a restart', async () => {
    const customer = new ScriptedCustomer(attune.url, connector);
    expect(templateOf((await customer.say('hello'))[0]!)).toBe('greeting');
    expect(await readiness()).toEqual({ status: 200, body: expect.objectContaining({ status: 'ready', storage: 'mongodb' }) });

    await mongo.stop();

    const notReady = await readiness();
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ status: 'unavailable', storage: 'mongodb' });

    const began = Date.now();
    const [apology] = await customer.say('my card has not arrived');
    const tookMs = Date.now() - began;
    expect(templateOf(apology!)).toBe('turnError');
    expect(tookMs).toBeLessThan(APOLOGY_WITHIN_MS);
    process.stdout.write(`mongo outage: apology after ${tookMs} ms\n`);

    mongo = await startJongodb(15_000, port); // same address, empty database
    const deadline = Date.now() + RECOVERY_WITHIN_MS;
    while ((await readiness()).status !== 200) {
      if (Date.now() > deadline) throw new Error(`still not ready ${RECOVERY_WITHIN_MS} ms after MongoDB came back`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const recoveredAfterMs = Date.now() - (deadline - RECOVERY_WITHIN_MS);
    process.stdout.write(`mongo outage: ready again ${recoveredAfterMs} ms after the server came back\n`);

    const [answer] = await customer.say('hello');
    expect(templateOf(answer!)).toBe('greeting');
    expect(attune.child.exitCode).toBeNull();
  });

  it('does not hang on a server that keeps connections open but stops answering', async () => {
    const customer = new ScriptedCustomer(attune.url, connector);
    expect(templateOf((await customer.say('hello'))[0]!)).toBe('greeting');
    process.kill(mongo.pid, 'SIGSTOP'); // frozen: TCP stays up, nothing answers (a network partition looks the same)
    try {
      const readyBegan = Date.now();
      expect((await readiness()).status).toBe(503);
      expect(Date.now() - readyBegan).toBeLessThan(APOLOGY_WITHIN_MS);

      const began = Date.now();
      const [apology] = await customer.say('my card has not arrived');
      const tookMs = Date.now() - began;
      process.stdout.write(`mongo frozen: apology after ${tookMs} ms\n`);
      expect(templateOf(apology!)).toBe('turnError');
      expect(tookMs).toBeLessThan(APOLOGY_WITHIN_MS);
    } finally {
      process.kill(mongo.pid, 'SIGCONT');
    }
    const deadline = Date.now() + RECOVERY_WITHIN_MS;
    while ((await readiness()).status !== 200) {
      if (Date.now() > deadline) throw new Error(`still not ready ${RECOVERY_WITHIN_MS} ms after MongoDB answered again`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(templateOf((await customer.say('hello'))[0]!)).toBe('greeting');
  });
});
