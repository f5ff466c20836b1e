/**
 * The agent desk in a real browser (Debian's Chromium via playwright-core) against the real server:
 * a scripted customer escalates through /api/messages; the agent signs in at /agent, sees the chat
 * arrive in the queue live, takes it, reads what the customer already said, edits a suggested reply
 * and sends it, sees the customer's next message arrive without a reload, and resolves; the
 * customer gets the agent's words and the rating prompt. Untrusted text stays text.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import { screenshot } from '../support/browser';
import { startPageTestbed, type PageTestbed } from '../support/page-testbed';
import { ScriptedCustomer, templateOf } from '../support/customer';

describe('agent desk page', () => {
  let bed: PageTestbed;
  let context: BrowserContext;
  let pageErrors: string[];

  beforeAll(async () => {
    bed = await startPageTestbed({ name: 'ann', pool: 'apprentice', role: 'agent' });
  });

  beforeEach(async () => {
    context = await bed.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    pageErrors = [];
  });

  afterEach(async () => {
    await context.close();
  });

  afterAll(async () => {
    await bed?.close();
  });

  async function signIn(name = 'ann', password = bed.password, on: BrowserContext = context): Promise<Page> {
    const page = await on.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${bed.attune.url}/agent`);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    return page;
  }

  it('takes an escalated chat, talks both ways live, and hands the customer back to the bot for a rating', async () => {
    const early = new ScriptedCustomer(bed.attune.url, bed.connector);
    await early.say("my card hasn't arrived");
    await early.say('I want to talk to a person', 3);

    const page = await signIn();
    await page.locator('#queue li', { hasText: 'card arrival' }).waitFor();

    // A second customer escalates while the desk is open: the queue shows them without a reload.
    const late = new ScriptedCustomer(bed.attune.url, bed.connector);
    await late.say('I need to speak to an agent', 3);
    await page.locator('#queue li').nth(1).waitFor();
    expect(await page.locator('#queue li').count()).toBe(2);

    const chat = page.locator('#queue li', { hasText: 'card arrival' });
    await expect(chat.textContent()).resolves.toMatch(/apprentice.*priority.*mood: \w+.*Asked for a person.*waiting/s);
    await chat.getByRole('button', { name: /Take the chat/ }).click();

    // The earlier conversation is there: the customer repeats nothing.
    const transcript = page.locator('#transcript');
    await transcript.getByText("my card hasn't arrived").waitFor();
    await transcript.getByText('I want to talk to a person').waitFor();
    await page.locator('#context-summary', { hasText: 'card arrival' }).waitFor();
    expect(await page.locator('#context-next').textContent()).toContain('dispatch');
    expect(await page.locator('#sparkline svg circle').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#context-tried li').count()).toBeGreaterThanOrEqual(1);
    await page.locator('#queue li', { hasText: 'card arrival' }).waitFor({ state: 'detached' });
    const joined = await bed.connector.waitFor(early.conversationId, bed.connector.activities(early.conversationId).length);
    expect(joined.map(templateOf)).toContain('handoff.agentJoined');

    // The customer writes: the line appears on the desk without a reload.
    await early.post({ type: 'message', text: 'it was ordered on the 3rd' }, 0);
    await transcript.getByText('it was ordered on the 3rd').waitFor();

    // A suggested reply, edited before sending with the keyboard.
    const suggestion = page.locator('#suggestions button').nth(1);
    const suggested = (await suggestion.textContent()) ?? '';
    expect(suggested).toMatch(/card/i);
    await suggestion.click();
    const box = page.getByLabel('Message to the customer');
    expect(await box.inputValue()).toBe(suggested);
    await box.fill(`Thanks. ${suggested}`);
    const before = bed.connector.activities(early.conversationId).length;
    await box.press('Enter');
    const [delivered] = (await bed.connector.waitFor(early.conversationId, before + 1)).slice(before);
    expect(delivered?.text).toBe(`Thanks. ${suggested}`);
    await transcript.locator('.line.agent', { hasText: `Thanks. ${suggested}` }).waitFor();
    expect(await box.inputValue()).toBe('');

    await page.getByLabel('Internal note (never sent to the customer)').fill('replacement to be ordered');
    await page.getByRole('button', { name: 'Add note' }).click();
    await transcript.locator('.line.note', { hasText: 'ann: replacement to be ordered' }).waitFor();
    expect(bed.connector.activities(early.conversationId)).toHaveLength(before + 1);

    await page.getByLabel('Outcome').selectOption('replacement_ordered');
    const beforeResolve = bed.connector.activities(early.conversationId).length;
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('#chat-status', { hasText: 'Resolved' }).waitFor();
    const [prompt] = (await bed.connector.waitFor(early.conversationId, beforeResolve + 1)).slice(beforeResolve);
    expect(templateOf(prompt!)).toBe('handoff.resolved');
    expect(prompt!.suggestedActions?.actions.map((a) => a.title)).toEqual(['1', '2', '3', '4', '5']);
    await screenshot(page, 'agent-desk');

    expect(templateOf((await early.say('5'))[0]!)).toBe('csat.thanks');
    expect(pageErrors).toEqual([]);
  });

  it('shows markup in a customer name and message as text, and runs none of it', async () => {
    const userId = `user-xss-${Date.now()}`;
    const now = new Date();
    await bed.attune.store.customers.save({
      id: `cust-${userId}`,
      identities: [{ channelId: 'webchat', userId }],
      firstName: '<img src=x onerror="window.__xssName=1">',
      tier: 'standard',
      products: ['current_account'],
      preferences: {},
      consent: { marketing: false },
      createdAt: now,
      updatedAt: now,
    });
    const customer = new ScriptedCustomer(bed.attune.url, bed.connector, { userId });
    await customer.say('I want to talk to a person', 3);
    const script = '<script>window.__xssMessage=1</script>';
    const image = '<img src=x onerror="window.__xssImage=1">';
    await customer.say(`${script} my card ${image}`);

    const page = await signIn();
    const chat = page.locator('#queue li', { hasText: '<img src=x onerror="window.__xssName=1">' });
    await chat.waitFor();
    await chat.getByRole('button', { name: /Take the chat/ }).click();
    await page.locator('#transcript').getByText(`${script} my card ${image}`).waitFor();
    await page.locator('#profile-name', { hasText: '<img src=x' }).waitFor();

    // Live lines go through the same path: one more while the desk is open.
    await customer.post({ type: 'message', text: `<b>bold?</b> ${image}` }, 0);
    await page.locator('#transcript').getByText(`<b>bold?</b> ${image}`).waitFor();

    const ran = await page.evaluate(() => {
      const flags = globalThis as unknown as Record<string, unknown>;
      return [flags.__xssName, flags.__xssMessage, flags.__xssImage];
    });
    expect(ran).toEqual([undefined, undefined, undefined]);
    expect(await page.locator('#queue img, #transcript img, #transcript script, #transcript b, #context img').count()).toBe(0);
    await screenshot(page, 'agent-desk-xss');
    expect(pageErrors).toEqual([]);
  });

  it('changes the password from the desk: the server says what is wrong, and on success the other session is signed out', async () => {
    const { password } = await createAgentAccount(bed.attune.store.agents, { name: 'pat', pool: 'apprentice', role: 'agent' });
    const laptop = await signIn('pat', password);
    const phoneContext = await bed.browser.newContext();
    const phone = await signIn('pat', password, phoneContext);

    await laptop.locator('summary', { hasText: 'Change password' }).click();
    const form = laptop.locator('#password-form');
    const message = laptop.locator('#password-message');
    const fill = async (current: string, next: string, again = next) => {
      await form.getByLabel('Current password').fill(current);
      await form.getByLabel('New password', { exact: true }).fill(next);
      await form.getByLabel('New password again').fill(again);
      await form.getByRole('button', { name: 'Change password' }).click();
    };
    const newPassword = 'plum kettle orbit seventy lantern';

    await fill(password, newPassword, `${newPassword}!`);
    await message.filter({ hasText: 'The new password and its repetition differ.' }).waitFor();
    await fill('not my password', newPassword);
    await message.filter({ hasText: 'The current password is not correct' }).waitFor();
    await fill(password, 'too short');
    await message.filter({ hasText: 'at least 20 characters' }).waitFor();
    await laptop.getByRole('status').filter({ hasText: 'live' }).waitFor(); // still signed in after the refusals

    await fill(password, newPassword);
    await message.filter({ hasText: 'Password changed. Signed out 1 other session.' }).waitFor();
    expect(await form.getByLabel('Current password').inputValue()).toBe('');
    await screenshot(laptop, 'agent-desk-password-changed');

    // The other session ends at its next request (here: a reload); this one stays.
    await phone.reload();
    await phone.locator('#login-view').waitFor();
    await expect(phone.locator('#desk-view').isHidden()).resolves.toBe(true);
    await phoneContext.close();
    await laptop.reload();
    await laptop.getByRole('status').filter({ hasText: 'live' }).waitFor();
    // The new password signs in; the old one no longer does.
    const again = await signIn('pat', newPassword);
    await again.getByText('pat · apprentice pool · agent').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
