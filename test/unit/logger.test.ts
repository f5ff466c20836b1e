import { Writable } from 'node:stream';
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
});
