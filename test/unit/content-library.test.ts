import path from 'node:path';
import { ContentLibrary } from '../../content/content-library';
import { REQUIRED_TEMPLATES } from '../../content/required-templates';
import { isAttuneError } from '../../core/errors';
import { channelProfile } from '../../personalization/channel-profile';
import { TONES } from '../../personalization/tone';

const CONTENT_DIR = path.join(__dirname, '..', '..', 'content');
const webchat = channelProfile('webchat');

describe('ContentLibrary', () => {
  let library: ContentLibrary;
  beforeAll(async () => {
    library = await ContentLibrary.load(CONTENT_DIR, 'en');
  });

  it('renders the tone variant that was asked for and stamps where the reply came from', () => {
    const empathetic = library.render({ template: 'cardArrival.askWhenOrdered', tone: 'empathetic', channel: webchat });
    const warm = library.render({ template: 'cardArrival.askWhenOrdered', tone: 'warm', channel: webchat });
    expect(empathetic.text).toMatch(/sorry/i);
    expect(warm.text).not.toEqual(empathetic.text);
    expect(empathetic.channelData).toEqual({ attune: { template: 'cardArrival.askWhenOrdered', tone: 'empathetic' } });
  });

  it('falls back to the neutral variant when a tone has none', () => {
    const reply = library.render({ template: 'general.yesOrNo', tone: 'warm', channel: webchat });
    expect(reply.text).toBe('Please answer yes or no.');
    expect(reply.channelData).toEqual({ attune: { template: 'general.yesOrNo', tone: 'neutral' } });
  });

  it('fills optional variables and leaves no gap when they are absent', () => {
    const withMerchant = library.text({ template: 'declinedPayment.askWhere', tone: 'neutral', channel: webchat, data: { merchant: 'Tesco' } });
    const without = library.text({ template: 'declinedPayment.askWhere', tone: 'neutral', channel: webchat });
    expect(withMerchant).toContain('the payment at Tesco was declined');
    expect(without).toContain('why the payment was declined');
  });

  it('turns buttons into a numbered list on channels without buttons', () => {
    const web = library.render({ template: 'fallback', tone: 'neutral', channel: webchat, data: { suggestions: ['Card arrival', 'Top-up failed'] } });
    const sms = library.render({ template: 'fallback', tone: 'neutral', channel: channelProfile('sms'), data: { suggestions: ['Card arrival', 'Top-up failed'] } });
    expect(web.suggestedActions?.actions.map((a) => a.title)).toEqual(['Card arrival', 'Top-up failed']);
    expect(sms.suggestedActions).toBeUndefined();
    expect(sms.text).toMatch(/\n1\. Card arrival\n2\. Top-up failed$/);
  });

  it('has every tone variant for every reply template of the dialogs', () => {
    const base = ['welcome', 'greeting', 'help', 'thanks', 'goodbye', 'fallback', 'unsupported', 'handoff.started', 'cardArrival.offerReplacement', 'lostCard.frozen', 'topUpFailed.askMethod', 'fees.exchange_rate'];
    for (const template of base) {
      for (const tone of TONES) {
        expect(library.render({ template, tone, channel: webchat, data: { suggestions: ['x'], topic: 'y' } }).channelData).toEqual({ attune: { template, tone } });
      }
    }
  });

  it('gives every button of every reply its own label', () => {
    const data = { suggestions: ['x', 'y'], topic: 't', task: 'dispute', stepsDone: 1, offer: 'travel_card', reasons: ['marketing_consent'], position: 1, minutes: 5, opensAt: 'Monday', contact: 'callback', agentName: 'Ann', kind: 'chargedTwice', merchant: 'Tesco', amount: 40, when: 'today', cardEnding: '1234' };
    const titles = REQUIRED_TEMPLATES.filter((required) => required.kind === 'toned').flatMap((required) =>
      TONES.flatMap((tone) => (library.render({ template: required.name, tone, channel: webchat, data }).suggestedActions?.actions ?? []).map((action) => `${required.name}.${tone}: ${action.title ?? ''}`)),
    );
    expect(titles).toContain('resume.offer.warm: No, start fresh');
    // A label with "|" in it is several buttons run together into one.
    expect(titles.filter((title) => title.includes('|'))).toEqual([]);
  });

  it('falls back from a regional locale to the language and then to the default', () => {
    const library2 = ContentLibrary.fromText({ en: { 'a.lg': '# hello.neutral\n- Hello' }, fr: { 'a.lg': '# hello.neutral\n- Bonjour' } }, 'en');
    expect(library2.text({ template: 'hello', tone: 'neutral', channel: webchat, locale: 'fr-CA' })).toBe('Bonjour');
    expect(library2.text({ template: 'hello', tone: 'neutral', channel: webchat, locale: 'de-DE' })).toBe('Hello');
  });

  it('rejects a missing template and a template defined in two files with codes', () => {
    expect.assertions(2);
    try {
      library.render({ template: 'no.such.template', tone: 'neutral', channel: webchat });
    } catch (error) {
      expect(isAttuneError(error, 'ATTUNE_CONTENT_TEMPLATE_MISSING')).toBe(true);
    }
    try {
      ContentLibrary.fromText({ en: { 'a.lg': '# x.neutral\n- A', 'b.lg': '# x.neutral\n- B' } }, 'en');
    } catch (error) {
      expect(isAttuneError(error, 'ATTUNE_CONTENT_INVALID')).toBe(true);
    }
  });
});
