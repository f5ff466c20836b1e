import { parseJson } from '../../server/json-body';

describe('parseJson', () => {
  it('parses an ordinary body as JSON.parse does', () => {
    const body = { type: 'message', text: 'hello', conversation: { id: 'c1' }, entities: [{ type: 'x' }] };
    expect(parseJson(JSON.stringify(body))).toEqual(body);
  });

  it.each([
    ['spelled out', '{"a":1,"__proto__":{"polluted":true},"b":{"constructor":{"prototype":{"polluted":true}}}}'],
    ['behind \\u escapes', '{"a":1,"\\u005f_proto__":{"polluted":true},"b":{"\\u0063onstructor":{"polluted":true},"prot\\u006ftype":2}}'],
  ])('drops prototype keys %s', (_how, text) => {
    const parsed = parseJson(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['a', 'b']);
    expect(Object.keys(parsed.b as object)).toEqual([]);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps a text that merely mentions a prototype key', () => {
    expect(parseJson('{"text":"what is __proto__?"}')).toEqual({ text: 'what is __proto__?' });
  });
});
