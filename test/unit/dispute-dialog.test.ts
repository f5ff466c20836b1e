/**
 * The dispute dialog's amount: what the customer types is read whole, and anything that is not a
 * sensible positive amount gets the retry prompt rather than a wrong number in the dispute.
 */
import { ConversationState, MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import path from 'node:path';
import { ContentLibrary } from '../../content/content-library';
import { parseAmount } from '../../dialogs/dispute';
import { createTaskDialogs } from '../../dialogs/task-catalog';
import { setTurnInsight } from '../../dialogs/turn-insight';
import { channelProfile } from '../../personalization/channel-profile';

const templateOf = (activity: Partial<Activity>) => (activity.channelData as { attune?: { template: string } } | undefined)?.attune?.template;

const ACCEPTED: readonly (readonly [string, number])[] = [
  ['£40', 40],
  ['40.50', 40.5],
  ['about 12 pounds', 12],
  ['It was £40.', 40],
  ['£1,250.50', 1250.5],
  ['£1,000,000', 1_000_000],
  ['1.234,56 €', 1234.56],
  ['1.234.567', 1_234_567],
  ['40,5', 40.5],
  ['12,99', 12.99],
  ['1,000', 1000],
  // A dash with a space after it separates; it is not a minus sign.
  ['Amazon - £40', 40],
  ['Tesco – 12.50', 12.5],
];

const REFUSED: readonly string[] = ['12345678', '-40', '-£40', '£-40', 'minus 40', '0', '1,2345', '1.234', '40.555', '1,25,000', 'no idea'];

describe('parseAmount', () => {
  it.each(ACCEPTED)('reads %s as %d', (text, amount) => {
    expect(parseAmount(text)).toBe(amount);
  });

  it.each(REFUSED)('refuses %s', (text) => {
    expect(parseAmount(text)).toBeUndefined();
  });
});

describe('the dispute amount question', () => {
  let content: ContentLibrary;

  beforeAll(async () => {
    content = await ContentLibrary.load(path.join(__dirname, '..', '..', 'content'), 'en');
  });

  /** "I was charged twice" at Tesco, then the amount: the templates the bot answers it with. */
  async function answerAmount(text: string): Promise<string[]> {
    const conversationState = new ConversationState(new MemoryStorage());
    const dialogs = createTaskDialogs(conversationState.createProperty<DialogState>('dialogState'), content);
    const adapter = new TestAdapter(async (context) => {
      setTurnInsight(context, {
        tone: 'neutral',
        locale: 'en',
        channel: channelProfile('webchat'),
        understanding: { intent: { intent: 'transaction_charged_twice', confidence: 1, alternatives: [] }, entities: [], sentiment: { score: 0, cues: { anger: 0, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } } },
        templateData: {},
      });
      const dialogContext = await dialogs.createContext(context);
      if (dialogContext.activeDialog) await dialogContext.continueDialog();
      else await dialogContext.beginDialog('dispute');
      await conversationState.saveChanges(context);
    });
    const replies = async (said: string) => {
      adapter.activeQueue.length = 0;
      await adapter.receiveActivity(said);
      return adapter.activeQueue.splice(0).map((activity) => templateOf(activity) ?? '');
    };
    expect(await replies('I was charged twice')).toEqual(['dispute.askMerchant']);
    expect(await replies('Tesco')).toEqual(['dispute.askAmount']);
    return replies(text);
  }

  it.each(ACCEPTED)('takes %s and moves on', async (text) => {
    expect(await answerAmount(text)).toEqual(['dispute.askWhen']);
  });

  it.each(REFUSED)('asks again after %s', async (text) => {
    expect(await answerAmount(text)).toEqual(['dispute.amountRetry']);
  });
});
