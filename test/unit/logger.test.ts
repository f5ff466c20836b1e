import { Writable } from 'node:stream';
import { ConversationState, MemoryStorage, TestAdapter } from 'botbuilder';
import { DialogSet, WaterfallDialog } from 'botbuilder-dialogs';
import { AttuneError, rootError } from '../../core/errors';
import { createLogger } from '../../core/logger';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('redacts message text, names, passwords, tokens and card numbers, and names the service', () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    logger.info({ text: 'my card 4111 1111 1111 1111 was stolen', name: 'Ann Smith', customer: { firstName: 'Ann', name: 'Ann Smith' }, password: 'hunter2', token: 'abc', cardNumber: '4111111111111111', conversation: 'webchat:c1' }, 'turn');
    const [line] = out.lines();
    const serialised = JSON.stringify(line);
    for (const secret of ['4111', 'Ann', 'hunter2', '"abc"']) expect(serialised).not.toContain(secret);
    expect(line).toMatchObject({ service: 'attune', conversation: 'webchat:c1', msg: 'turn' });
  });

  it("logs an error's type, message, stack, code and cause, and none of the other things it carries", () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    const error = Object.assign(new AttuneError('ATTUNE_STORAGE_UNAVAILABLE', 'MongoDB did not answer', { cause: new Error('socket timeout') }), {
      request: { body: '{"text":"my PIN is 1234"}' },
      customer: { phone: '07700 900123' },
    });
    logger.error({ err: error }, 'turn failed');
    const [line] = out.lines();
    expect(line!.err).toMatchObject({ type: 'AttuneError', message: 'MongoDB did not answer', code: 'ATTUNE_STORAGE_UNAVAILABLE', cause: { type: 'Error', message: 'socket timeout' } });
    expect(JSON.stringify(line)).not.toMatch(/PIN|07700/);
  });

  it('logs an error thrown in a dialog as that error and the dialog id, without the dialog state botbuilder wraps with it', async () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    const conversationState = new ConversationState(new MemoryStorage());
    const dialogs = new DialogSet(conversationState.createProperty('dialogs'));
    dialogs.add(
      new WaterfallDialog('dispute', [
        async (step) => {
          Object.assign(step.values, { merchant: 'Pharmacy on Elm St, Ann Smith 07700 900123', cardEnding: '4242' });
          return step.next();
        },
        async () => {
          throw new AttuneError('ATTUNE_STORAGE_UNAVAILABLE', 'storage is not reachable');
        },
      ]),
    );
    let caught: unknown;
    const adapter = new TestAdapter(async (context) => {
      const dc = await dialogs.createContext(context);
      await dc.beginDialog('dispute');
    });
    adapter.onTurnError = async (_context, error) => {
      caught = error;
      logger.error({ err: error }, 'turn failed');
    };
    await adapter.send('I was charged twice');
    // botbuilder wrapped it: what onTurnError and the metrics must look through.
    expect(caught).not.toBeInstanceOf(AttuneError);
    expect(rootError(caught)).toBeInstanceOf(AttuneError);
    const [line] = out.lines();
    expect(line!.err).toMatchObject({ type: 'AttuneError', code: 'ATTUNE_STORAGE_UNAVAILABLE', message: 'storage is not reachable', dialog: 'dispute' });
    expect(JSON.stringify(line)).not.toMatch(/Pharmacy|Ann Smith|07700|4242/);
  });
});
