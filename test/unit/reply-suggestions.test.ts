/**
 * Template suggestions for the agent: the tone follows the customer's mood and the request's risk,
 * the middle suggestion speaks to the customer's latest task, and the customer's name is used when known.
 */
import path from 'node:path';
import { ContentLibrary } from '../../content/content-library';
import { TemplateReplySuggester, toneForAgent, topicOf } from '../../escalation/suggestions/template-reply-suggester';
import type { EscalationRecord, EscalationTrigger, TurnRecord } from '../../storage/ports';

function escalation(trigger: EscalationTrigger, frustration: number, intent?: string, firstName?: string): EscalationRecord {
  const at = new Date('2026-01-05T10:00:00Z');
  return {
    id: 'e1',
    conversationId: 'webchat:c1',
    channelId: 'webchat',
    trigger,
    reasons: [],
    frustration,
    pool: 'apprentice',
    priority: 1,
    status: 'assigned',
    afterHours: false,
    handoff: {
      profile: firstName ? { customerId: 'c', firstName, tier: 'standard', products: [] } : undefined,
      intents: intent ? [{ intent, confidence: 0.9 }] : [],
      entities: [],
      trajectory: [{ at, sentiment: 0, frustration, reasons: [] }],
      botTried: [],
      summary: 's',
      nextBestAction: 'n',
    },
    conversationReference: {},
    createdAt: at,
    updatedAt: at,
  };
}

const customerTurn = (sentiment: number, frustration: number): TurnRecord => ({
  id: 't',
  conversationId: 'webchat:c1',
  role: 'customer',
  text: 'x',
  at: new Date(),
  understanding: { sentiment: { score: sentiment } } as TurnRecord['understanding'],
  frustration: { score: frustration, reasons: [] },
});

describe('template reply suggestions', () => {
  let suggester: TemplateReplySuggester;
  beforeAll(async () => {
    suggester = new TemplateReplySuggester(await ContentLibrary.load(path.join(__dirname, '..', '..', 'content'), 'en'));
  });

  it('chooses the tone from risk and mood', () => {
    expect(toneForAgent(escalation('high_risk', 0.1), [])).toBe('reassuring');
    expect(toneForAgent(escalation('human_request', 0.1), [customerTurn(0, 0.6)])).toBe('empathetic');
    expect(toneForAgent(escalation('failed_turns', 0.2), [])).toBe('empathetic');
    expect(toneForAgent(escalation('human_request', 0.1), [customerTurn(0.6, 0.1)])).toBe('warm');
    expect(toneForAgent(escalation('human_request', 0.1), [customerTurn(0, 0.1)])).toBe('neutral');
  });

  it('speaks to the latest task, and to anything else in general terms', () => {
    expect(topicOf(escalation('high_risk', 0.2, 'lost_or_stolen_card'))).toBe('lostCard');
    expect(topicOf(escalation('human_request', 0.2, 'transfer_timing'))).toBe('general');
    expect(topicOf(escalation('human_request', 0.2))).toBe('general');
  });

  it('renders three editable replies, with the name when known and without it otherwise', async () => {
    const named = await suggester.suggest({ escalation: escalation('high_risk', 0.3, 'compromised_card', 'Anna'), transcript: [] });
    expect(named).toHaveLength(3);
    expect(named.every((s) => s.tone === 'reassuring' && s.source === 'template')).toBe(true);
    expect(named[0]?.text).toContain(', Anna.');
    expect(named[1]?.text).toMatch(/frozen/);
    const anonymous = await suggester.suggest({ escalation: escalation('human_request', 0.1), transcript: [] });
    expect(anonymous[0]?.text).toMatch(/^Thanks for waiting\. /);
  });
});
