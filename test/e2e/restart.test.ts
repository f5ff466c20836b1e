/**
 * Kill the bot with SIGKILL in the middle of a dialog, start it again on the same data
 * directory: the customer's dialog continues where it was (state lives in storage, not memory).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startAttuneProcess, type AttuneProcess } from '../support/attune-process';
import { ScriptedCustomer, templateOf } from '../support/customer';
import { FakeConnector } from '../support/fake-connector';

describe('restart mid-dialog', () => {
  const connector = new FakeConnector();
  let dataDir: string;
  let bot: AttuneProcess | undefined;

  beforeAll(async () => {
    await connector.start();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-restart-'));
  });

  afterAll(async () => {
    await bot?.stop('SIGKILL');
    await connector.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('resumes the dialog after kill -9 and keeps every recorded message', async () => {
    bot = await startAttuneProcess({ DATA_DIR: dataDir });
    const customer = new ScriptedCustomer(bot.url, connector);
    const [question] = await customer.say("My new card still hasn't arrived, where is it?");
    expect(templateOf(question!)).toBe('cardArrival.askWhenOrdered');

    await bot.stop('SIGKILL');
    bot = await startAttuneProcess({ DATA_DIR: dataDir });
    const restarted = customer.reconnect(bot.url);
    const [offer] = await restarted.say('More than a week ago');
    expect(templateOf(offer!)).toBe('cardArrival.offerReplacement');
    const [done] = await restarted.say('yes');
    expect(templateOf(done!)).toBe('cardArrival.replacementOrdered');
  });
});

