/**
 * The studio's experiments screen in a real browser: a content editor creates an experiment on a
 * template (alternative text, traffic split, control), starts it, customers chat, and the screen
 * shows each variant's counts with 95% intervals and the guardrail state; then stops it. Names
 * typed by people are shown as text, and an invalid experiment is refused with the API's message.
 */
import type { Page } from 'playwright-core';
import { screenshot, watchPage } from '../support/browser';
import { startPageTestbed, type PageTestbed } from '../support/page-testbed';
import { ScriptedCustomer } from '../support/customer';

const HOSTILE_NAME = 'Cheers <img src=x onerror="window.__pwned=1">';
const VARIANT_COPY = 'Cheers, glad that helped!';

describe('studio experiments screen', () => {
  let bed: PageTestbed;
  let page: Page;
  let watch: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    bed = await startPageTestbed({ name: 'robin', pool: 'apprentice', role: 'content' });
    page = await bed.browser.newPage();
    watch = watchPage(page);
  });

  afterAll(async () => {
    await bed?.close();
  });

  const card = (name: string) => page.locator('.experiment-card').filter({ has: page.locator('.experiment-name', { hasText: name }) });
  const cells = (name: string) =>
    card(name)
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => ({ variant: row.getAttribute('data-variant'), cells: [...row.querySelectorAll('td')].map((td) => td.textContent ?? '') })));

  it('creates, starts, reports with intervals and guardrail state, and stops an experiment', async () => {
    await page.goto(`${bed.attune.url}/studio`);
    await page.fill('#login-name', 'robin');
    await page.fill('#login-password', bed.password);
    await page.click('#login-submit');
    await page.locator('#experiment-list', { hasText: 'No experiments yet.' }).waitFor();

    // An experiment on a template that does not exist is refused with the API's reason.
    await page.fill('#experiment-name', 'Nowhere');
    await page.fill('#experiment-target', 'no.such.template');
    await page.click('#create-experiment');
    await page.locator('#experiment-status', { hasText: 'No content template "no.such.template"' }).waitFor();

    // Template experiment: control keeps today's copy, variant b has alternative text; 1:1 split.
    await page.fill('#experiment-name', HOSTILE_NAME);
    await page.fill('#experiment-target', 'thanks');
    const variantB = page.locator('#experiment-variants .variant-row').nth(1);
    await variantB.locator('.variant-text').fill(`- ${VARIANT_COPY}`);
    await expect(page.locator('#experiment-control').inputValue()).resolves.toBe('control');
    await page.click('#create-experiment');
    await page.locator('#experiment-status', { hasText: 'as a draft' }).waitFor();

    const created = card(HOSTILE_NAME);
    await expect(created.getAttribute('data-status')).resolves.toBe('draft');
    // The name is text, not markup: no image element, no script ran.
    await expect(created.locator('.experiment-name').textContent()).resolves.toBe(HOSTILE_NAME);
    await expect(page.locator('#experiment-list img').count()).resolves.toBe(0);
    await expect(page.evaluate('window.__pwned')).resolves.toBeUndefined();
    expect(await cells(HOSTILE_NAME)).toEqual([
      { variant: 'control', cells: ['control (control)', '1', 'today’s copy'] },
      { variant: 'b', cells: ['b', '1', `- ${VARIANT_COPY}`] },
    ]);

    await created.locator('button.start-experiment').click();
    await page.locator(`.experiment-card[data-status="running"]`).waitFor();

    const replies: string[] = [];
    for (let i = 0; i < 6; i++) replies.push((await new ScriptedCustomer(bed.attune.url, bed.connector).say('thank you'))[0].text ?? '');
    // Reload: the screen reads the results again on sign-in, even when experiments.js arrives after
    // the studio has already opened with its stored token.
    await page.route('**/studio/experiments.js', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue();
    });
    await page.reload();
    // Playwright's default wait (30 s), as for every other step: a busy CI machine has taken longer
    // than 10 s here. On a timeout the error says what the page asked and saw.
    await page
      .locator('.experiment-card[data-status="running"] .results-table')
      .waitFor()
      .catch(async (error: unknown) => {
        throw await watch.explain(error, ['login-error', 'experiment-status', 'experiment-list']);
      });
    await page.unroute('**/studio/experiments.js');
    const rows = await cells(HOSTILE_NAME);
    expect(rows.map((r) => r.variant)).toEqual(['control', 'b']);
    const conversations = rows.map((r) => Number(r.cells[1]));
    expect(conversations.reduce((a, b) => a + b, 0)).toBe(6);
    // Those who saw b got its copy; the others did not.
    expect(replies.filter((text) => text === VARIANT_COPY)).toHaveLength(conversations[1]);
    // Escalation: counts, rate and the 95% interval ("0/3 · 0.0% (0.0%–56.2%)").
    for (const [index, row] of rows.entries()) {
      if (conversations[index] > 0) expect(row.cells[2]).toMatch(new RegExp(`^0/${conversations[index]} · 0\\.0% \\(0\\.0%–\\d+\\.\\d%\\)$`));
    }
    expect(rows.map((r) => r.cells[7])).toEqual(['control', 'ok']);
    await screenshot(page, 'studio-experiment-running');

    await card(HOSTILE_NAME).locator('button.stop-experiment').click();
    await page.locator('.experiment-card[data-status="stopped"]').waitFor();
    await expect(page.locator('#experiment-status').textContent()).resolves.toBe(`${HOSTILE_NAME}: stopped.`);
  }, 240_000);

  it('creates an offer experiment on the follow-up slot with a no-offer variant', async () => {
    await page.selectOption('#experiment-kind', 'offer');
    await expect(page.locator('#experiment-target').inputValue()).resolves.toBe('follow_up');
    await expect(page.locator('#experiment-variants .variant-offer').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('#experiment-variants .variant-text').first().isVisible()).resolves.toBe(false);
    await page.fill('#experiment-name', 'Offer or not');
    await page.locator('#experiment-variants .variant-row').nth(1).locator('.variant-offer').selectOption('none');
    await page.click('#add-variant');
    await page.locator('#experiment-variants .variant-row').nth(2).locator('.variant-offer').selectOption('savings_account');
    await page.locator('#experiment-variants .variant-row').nth(2).locator('.variant-weight').fill('2');
    await page.click('#create-experiment');
    await page.locator('#experiment-status', { hasText: 'Created "Offer or not"' }).waitFor();
    expect(await cells('Offer or not')).toEqual([
      { variant: 'control', cells: ['control (control)', '1', 'today’s copy'] },
      { variant: 'b', cells: ['b', '1', 'no offer'] },
      { variant: 'v3', cells: ['v3', '2', 'offer savings_account'] },
    ]);
    await screenshot(page, 'studio-experiment-offer');
  }, 120_000);
});
