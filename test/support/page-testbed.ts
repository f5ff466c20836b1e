/**
 * What a browser test of a staff page needs: a fake Bot Framework connector for the customers'
 * replies, attune started in process on a fresh data directory (team always open), one staff
 * account, and Chromium. close() undoes it all, whatever was started.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import type { AgentPool, StaffRole } from '../../storage/ports';
import { launchChromium } from './browser';
import { FakeConnector } from './fake-connector';

const ROOT = path.resolve(__dirname, '..', '..');

export interface PageTestbed {
  readonly connector: FakeConnector;
  readonly attune: RunningAttune;
  readonly browser: Browser;
  /** The staff account's generated password. */
  readonly password: string;
  close(): Promise<void>;
}

export async function startPageTestbed(staff: { name: string; pool: AgentPool; role: StaffRole }): Promise<PageTestbed> {
  const connector = new FakeConnector();
  await connector.start();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-page-'));
  let attune: RunningAttune | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await attune?.close();
    await connector.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
  try {
    attune = await startAttune(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BUSINESS_HOURS: '00:00-24:00' }, ROOT), pino({ level: 'silent' }));
    const { password } = await createAgentAccount(attune.store.agents, staff);
    browser = await launchChromium();
    return { connector, attune, browser, password, close };
  } catch (error) {
    await close();
    throw error;
  }
}
