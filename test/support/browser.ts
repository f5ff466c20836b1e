/**
 * Debian's Chromium driven by playwright-core, launched the one way this project does it:
 * headless, no sandbox (CI runs as root), and without background networking (the machine's
 * network is closed, and Chromium would otherwise keep trying to reach Google).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where browser tests leave screenshots (kept out of git; CI keeps them as test output). */
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'artifacts', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: install Debian's 'chromium' package (npm test does) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, headless: true });
}

/** Saves a full-page screenshot under test/artifacts/screenshots and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Records what a page asked of the server and what happened in it (API answers, failed requests,
 * console errors), so that a wait that times out can say what the page saw instead of only
 * "Timeout exceeded".
 */
export function watchPage(page: Page): { explain(error: unknown, elementIds: readonly string[]): Promise<Error> } {
  const seen: string[] = [];
  const at = () => new Date().toISOString().slice(11, 23);
  page.on('response', (response) => {
    const url = new URL(response.url());
    seen.push(`${at()} ${response.status()} ${response.request().method()} ${url.pathname}`);
  });
  page.on('requestfailed', (request) => seen.push(`${at()} failed ${request.method()} ${new URL(request.url()).pathname}: ${request.failure()?.errorText ?? ''}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') seen.push(`${at()} console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => seen.push(`${at()} page error: ${error.message}`));
  return {
    async explain(error, elementIds) {
      const elements = await Promise.all(
        elementIds.map(async (id) => {
          const html = await page
            .locator(`#${id}`)
            .evaluate((node) => node.outerHTML.slice(0, 2000))
            .catch((reason: unknown) => `(unreadable: ${String(reason)})`);
          return `#${id}: ${html}`;
        }),
      );
      const message = error instanceof Error ? error.message : String(error);
      return new Error(`${message}\n-- the page's requests and errors, last 40:\n${seen.slice(-40).join('\n')}\n-- elements:\n${elements.join('\n')}`);
    },
  };
}
