import { MemoryStorage, TestAdapter, type StoreItems, type TurnContext } from 'botbuilder';
import { Dialog, DialogSet, WaterfallDialog, type DialogState } from 'botbuilder-dialogs';
import { ConversationStateSavedEachTurn } from '../../bots/conversation-state';

/** MemoryStorage that remembers every write it was asked for. */
class RecordingStorage extends MemoryStorage {
  readonly writes: StoreItems[] = [];

  override async write(changes: StoreItems): Promise<void> {
    this.writes.push(structuredClone(changes));
    await super.write(changes);
  }
}

const KEY = 'test/conversations/Convo1/';

describe('ConversationStateSavedEachTurn', () => {
  let storage: RecordingStorage;
  let conversationState: ConversationStateSavedEachTurn;

  beforeEach(() => {
    storage = new RecordingStorage();
    conversationState = new ConversationStateSavedEachTurn(storage);
  });

  it('carries properties across turns and writes once at the end of a turn that loaded state', async () => {
    const count = conversationState.createProperty<{ n: number }>('count');
    const adapter = new TestAdapter(async (context) => {
      const state = await count.get(context, { n: 0 });
      state.n += 1;
      await context.sendActivity(`turn ${state.n}`);
      await conversationState.saveChanges(context);
    });
    await adapter.send('hi').assertReply('turn 1').send('again').assertReply('turn 2').startTest();
    expect(storage.writes).toHaveLength(2);
    expect(storage.writes[1]).toEqual({ [KEY]: { count: { n: 2 }, eTag: '*' } });
  });

  it('writes nothing for a turn that never loaded state, unless forced', async () => {
    let force = false;
    const adapter = new TestAdapter(async (context) => {
      expect(conversationState.get(context)).toBeUndefined();
      await conversationState.saveChanges(context, force);
      await context.sendActivity('ok');
    });
    await adapter.send('hi').assertReply('ok').startTest();
    expect(storage.writes).toHaveLength(0);
    force = true;
    await adapter.send('again').assertReply('ok').startTest();
    expect(storage.writes).toEqual([{ [KEY]: { eTag: '*' } }]);
  });

  it('reads storage once per turn, and again only when forced', async () => {
    await storage.write({ [KEY]: { count: { n: 5 }, eTag: '*' } });
    const read = jest.spyOn(storage, 'read');
    const adapter = new TestAdapter(async (context) => {
      const first = await conversationState.load(context);
      expect(await conversationState.load(context)).toBe(first);
      expect(conversationState.get(context)).toBe(first);
      expect(first.count).toEqual({ n: 5 });
      expect(read).toHaveBeenCalledTimes(1);
      await conversationState.load(context, true);
      expect(read).toHaveBeenCalledTimes(2);
      await context.sendActivity('ok');
    });
    await adapter.send('hi').assertReply('ok').startTest();
  });

  it('clear saves an empty state; delete removes it from storage and writes nothing', async () => {
    await storage.write({ [KEY]: { count: { n: 5 }, eTag: '*' } });
    storage.writes.length = 0;
    let step: (context: TurnContext) => Promise<void> = async (context) => {
      await conversationState.load(context);
      await conversationState.clear(context);
      expect(conversationState.get(context)).toEqual({});
    };
    const adapter = new TestAdapter(async (context) => {
      await step(context);
      await conversationState.saveChanges(context);
      await context.sendActivity('ok');
    });
    await adapter.send('clear').assertReply('ok').startTest();
    expect(storage.writes).toEqual([{ [KEY]: { eTag: '*' } }]);

    await storage.write({ [KEY]: { count: { n: 7 }, eTag: '*' } });
    storage.writes.length = 0;
    step = async (context) => {
      await conversationState.load(context);
      await conversationState.delete(context);
      expect(conversationState.get(context)).toBeUndefined();
    };
    await adapter.send('delete').assertReply('ok').startTest();
    expect(storage.writes).toHaveLength(0);
    expect(await storage.read([KEY])).toEqual({});
  });

  it('keeps a dialog stack across turns', async () => {
    const dialogs = new DialogSet(conversationState.createProperty<DialogState>('dialogState'));
    dialogs.add(
      new WaterfallDialog('ask', [
        async (step) => {
          await step.context.sendActivity('Your name?');
          return Dialog.EndOfTurn;
        },
        async (step) => {
          await step.context.sendActivity(`Hello ${String(step.context.activity.text)}`);
          return step.endDialog();
        },
      ]),
    );
    const adapter = new TestAdapter(async (context) => {
      const dialogContext = await dialogs.createContext(context);
      if (dialogContext.activeDialog) await dialogContext.continueDialog();
      else await dialogContext.beginDialog('ask');
      await conversationState.saveChanges(context);
    });
    await adapter.send('hi').assertReply('Your name?').send('Ada').assertReply('Hello Ada').startTest();
  });
});
