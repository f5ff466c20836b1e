import { MAX_TEXT_LENGTH, validateActivity } from '../../server/activity-validation';

const valid = {
  type: 'message',
  id: 'a1',
  channelId: 'webchat',
  serviceUrl: 'http://127.0.0.1:9/',
  conversation: { id: 'c1' },
  from: { id: 'u1' },
  text: 'hello',
};

describe('validateActivity', () => {
  it('accepts a well-formed activity, and one that expects replies without a serviceUrl', () => {
    expect(validateActivity(valid)).toEqual({ ok: true });
    const { serviceUrl: _ignored, ...noServiceUrl } = valid;
    expect(validateActivity({ ...noServiceUrl, deliveryMode: 'expectReplies' })).toEqual({ ok: true });
  });

  it.each([
    ['a string', 'hello', 'JSON object'],
    ['an array', [valid], 'JSON object'],
    ['null', null, 'JSON object'],
    ['no type', { ...valid, type: undefined }, 'type'],
    ['no conversation', { ...valid, conversation: undefined }, 'conversation'],
    ['a conversation without id', { ...valid, conversation: {} }, 'conversation.id'],
    ['no from', { ...valid, from: undefined }, 'from'],
    ['text of the wrong type', { ...valid, text: 42 }, 'text'],
    ['huge text', { ...valid, text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }, 'text'],
    ['no serviceUrl', { ...valid, serviceUrl: undefined }, 'serviceUrl'],
    ['a relative serviceUrl', { ...valid, serviceUrl: '/v3' }, 'serviceUrl'],
  ])('rejects %s and says where', (_label, body, where) => {
    const result = validateActivity(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join(' ')).toContain(where);
  });
});
