/**
 * The customer page in a real browser (Debian's Chromium via playwright-core) against the real
 * server, real NLU models and content: Microsoft's Web Chat, served from this server, talks to the
 * built-in Direct Line endpoint over its WebSocket. The customer asks where their card is, answers
 * with a suggested-action button from the keyboard, gets an answer, asks for a person and is told
 * their place in the queue. Screenshots go to test/artifacts/screenshots.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { launchChromium, screenshot } from '../support/browser';

const ROOT = path.resolve(__dirname, '..', '..');

describe('the customer web chat page', () => {
  let dataDir: string;
  let attune: RunningAttune;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-web-chat-'));
    attune = await startAttune(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BUSINESS_HOURS: '00:00-24:00' }, ROOT), pino({ level: 'silent' }));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await attune?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const transcript = () => page.getByRole('feed');
  const sendBox = () => page.getByRole('textbox', { name: 'Message input box' });
  const botSaid = (text: RegExp) => transcript().getByRole('article').filter({ hasText: text }).last();

  it('is served with a strict policy: scripts only from this server, none inline, Web Chat from node_modules', async () => {
    const response = await fetch(`${attune.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).toContain('src="/webchat/webchat.js"');
    const bundle = await fetch(`${attune.url}/webchat/webchat.js`);
    expect(bundle.status).toBe(200);
    expect(Number(bundle.headers.get('content-length'))).toBeGreaterThan(1_000_000);
  });

  it('greets the customer, walks a card question with buttons, and queues them for a person with their position', async () => {
    await page.goto(`${attune.url}/`);
    await botSaid(/Attune Bank assistant/).waitFor();
    await screenshot(page, 'web-chat-welcome');

    // Web Chat's accessibility defaults are there: a labelled send box, a feed of articles, buttons in a toolbar.
    await sendBox().focus();
    await page.keyboard.type('where is my card?');
    await page.keyboard.press('Enter');
    await botSaid(/When did you order/).waitFor();
    const quickReplies = page.getByRole('toolbar', { name: 'Suggested actions' }).getByRole('button');
    await expect(quickReplies.allInnerTexts()).resolves.toEqual(['Less than a week ago', 'More than a week ago']);

    // By keyboard, as Web Chat documents it: Alt+Shift+A moves to the suggested actions, arrows between them.
    await page.keyboard.press('Alt+Shift+A');
    // (The page's DOM types are not in this project's compiler settings: the element is narrowed by hand.)
    const isFocused = (element: unknown) => (element as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement === element;
    await expect(quickReplies.first().evaluate(isFocused)).resolves.toBe(true);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await botSaid(/replacement/i).waitFor();
    // Sent once, shown once (Web Chat matched the server's echo to what it sent).
    await expect(transcript().getByRole('article', { name: /^You said: More than a week ago/ }).count()).resolves.toBe(1);

    await sendBox().fill('I want to talk to a person');
    await sendBox().press('Enter');
    const waiting = botSaid(/number 1 in the queue/);
    await waiting.waitFor();
    expect(await waiting.innerText()).toMatch(/number 1 in the queue/);
    await expect(page.getByText('Connectivity Status: Connected').count()).resolves.toBe(1);
    await screenshot(page, 'web-chat-conversation');

    expect(problems).toEqual([]);
  });
});
