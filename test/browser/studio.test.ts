/**
 * The content studio in a real browser: a content editor signs in, edits the tone variant a
 * customer is getting, sees live validation and the preview bubble, publishes, and the customer
 * chatting through /api/messages gets the new copy without a restart; restoring the earlier
 * version brings the old copy back. The insights page then shows an experiment's outcomes.
 */
import type { Page } from 'playwright-core';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import { screenshot } from '../support/browser';
import { startPageTestbed, type PageTestbed } from '../support/page-testbed';
import { ScriptedCustomer } from '../support/customer';
import type { RecordedActivity } from '../support/fake-connector';

const toneOf = (reply: RecordedActivity) => (reply.channelData as { attune: { tone: string } }).attune.tone;

describe('content studio and insights pages', () => {
  let bed: PageTestbed;
  let page: Page;

  beforeAll(async () => {
    bed = await startPageTestbed({ name: 'casey', pool: 'apprentice', role: 'content' });
    page = await bed.browser.newPage();
  });

  afterAll(async () => {
    await bed?.close();
  });

  /** Waits until an element's text matches (the page updates it after an API call). */
  const waitForText = (selector: string, text: RegExp) => page.locator(selector).filter({ hasText: text }).waitFor();
  const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

  async function signIn(url: string): Promise<void> {
    await page.goto(url);
    await page.fill('#login-name', 'casey');
    await page.fill('#login-password', bed.password);
    await page.click('#login-submit');
  }

  it('edits a tone variant, publishes, the customer sees it; restore brings the old copy back', async () => {
    const customer = new ScriptedCustomer(bed.attune.url, bed.connector);
    const [before] = await customer.say('hello');
    const tone = toneOf(before);
    const oldText = before.text ?? '';

    await signIn(`${bed.attune.url}/studio`);
    await page.click('.file-item[data-path="en/general.lg"]');
    await page.click('.template-item[data-name="greeting"]');
    const editor = page.locator(`textarea[data-variant="greeting.${tone}"]`);
    await expect(editor.inputValue()).resolves.toContain('${helloName()}');
    // Every tone side by side.
    await expect(page.locator('#variants textarea').count()).resolves.toBeGreaterThanOrEqual(4);

    // A broken edit is caught live and cannot be published.
    await editor.fill('- ${noSuchHelper()} hello');
    await page.waitForSelector('#problems li.error');
    await expect(page.locator('#publish').isDisabled()).resolves.toBe(true);

    await editor.fill('- Hello from the studio, how can I help?');
    await page.locator('#problems li.error').first().waitFor({ state: 'detached' });
    await page.selectOption('#preview-tone', tone);
    await waitForText('#preview-bubble', exactly('Hello from the studio, how can I help?'));
    await page.fill('#publish-note', 'Friendlier hello');
    await page.click('#publish');
    await waitForText('#publish-status', /Published version 1/);
    await screenshot(page, 'studio-published');

    expect((await customer.say('hello'))[0].text).toBe('Hello from the studio, how can I help?');

    await page.click('#versions li[data-id] .show-diff');
    await expect(page.locator('#diff').textContent()).resolves.toContain('+- Hello from the studio, how can I help?');

    // A second edit goes out as version 2; rolling back to version 1 brings its copy back.
    await editor.fill('- Good day! What brings you here?');
    await waitForText('#preview-bubble', exactly('Good day! What brings you here?'));
    await page.fill('#publish-note', 'Try a formal hello');
    await page.click('#publish');
    await waitForText('#publish-status', /Published version 2/);
    expect((await customer.say('hello'))[0].text).toBe('Good day! What brings you here?');

    await page.click('#versions li:last-child button.restore');
    await waitForText('#publish-status', /Restored version 1 as version 3/);
    expect((await customer.say('hello'))[0].text).toBe('Hello from the studio, how can I help?');
    expect(oldText).not.toBe('Hello from the studio, how can I help?');
    await screenshot(page, 'studio-restored');
  }, 240_000);

  it('shows an experiment and its per-variant outcomes on the insights dashboard', async () => {
    const token = String(await page.evaluate('sessionStorage.getItem("attune.studio.token")'));
    const call = (method: string, route: string, body?: unknown) =>
      fetch(`${bed.attune.url}${route}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.json() as Promise<{ id: string }>);
    const experiment = await call('POST', '/api/content/experiments', { name: 'Thanks wording', target: 'thanks', controlVariantId: 'control', variants: [{ id: 'control', weight: 1 }, { id: 'cheerful', weight: 1, text: '- Cheers! Anything else?' }] });
    await call('POST', `/api/content/experiments/${experiment.id}/start`);
    for (let i = 0; i < 8; i++) await new ScriptedCustomer(bed.attune.url, bed.connector).say('thank you');

    await page.goto(`${bed.attune.url}/insights`);
    await page.waitForSelector(`.experiment[data-id="${experiment.id}"] tr[data-variant="cheerful"]`);
    const rows = await page.locator(`.experiment[data-id="${experiment.id}"] tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.map((r) => r[0])).toEqual(['control (control)', 'cheerful']);
    expect(rows.reduce((sum, r) => sum + Number(r[1]), 0)).toBe(8);
    expect(rows[0][2]).toMatch(/%.*n=\d+/);
    // The charts drew (Chart.js from node_modules, no CDN).
    await expect(page.evaluate('typeof window.Chart')).resolves.toBe('function');
    await screenshot(page, 'insights-experiment');
  }, 120_000);

  it('refuses an agent account in the studio; signing out of the studio signs out of insights too', async () => {
    const { password } = await createAgentAccount(bed.attune.store.agents, { name: 'andy', pool: 'apprentice', role: 'agent' });
    const other = await bed.browser.newPage();
    await other.goto(`${bed.attune.url}/studio`);
    await other.fill('#login-name', 'andy');
    await other.fill('#login-password', password);
    await other.click('#login-submit');
    await other.locator('#login-error', { hasText: 'The studio is for content and supervisor accounts.' }).waitFor();
    await expect(other.locator('#studio').isHidden()).resolves.toBe(true);
    await other.close();

    // The content editor's tab is still signed in (studio and insights share its session).
    await page.goto(`${bed.attune.url}/studio`);
    await page.locator('#logout').click();
    await page.locator('#login').waitFor();
    await expect(page.locator('#studio').isHidden()).resolves.toBe(true);
    await page.goto(`${bed.attune.url}/insights`);
    await page.locator('#login').waitFor();
    await expect(page.locator('#dashboard').isHidden()).resolves.toBe(true);
  }, 60_000);
});
