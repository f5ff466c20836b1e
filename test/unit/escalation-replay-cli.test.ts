import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../escalation/cli';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  const code = await main(argv, out, err);
  return { code, stdout: Buffer.concat(chunks.out).toString(), stderr: Buffer.concat(chunks.err).toString() };
}

describe('npm run escalation -- replay', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-replay-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes one line per conversation with one entry per user turn, and names bad lines', async () => {
    const file = path.join(dir, 'conversations.jsonl');
    const lines = [
      JSON.stringify({ id: 'calm', turns: [{ role: 'user', text: 'hello' }, { role: 'bot', text: 'Hi!' }, { role: 'user', text: "my card hasn't arrived" }] }),
      '{ not json',
      JSON.stringify({ id: 'person', turns: [{ role: 'user', text: 'I want to talk to a human' }] }),
      JSON.stringify({ id: 'bad-role', turns: [{ role: 'robot', text: 'x' }] }),
    ];
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    const result = await run(['replay', '--data', file]);
    expect(result.code).toBe(1);
    const outputs = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string; turns: { frustration: number; escalate: boolean; reasons: unknown[] }[] });
    expect(outputs.map((o) => o.id)).toEqual(['calm', 'person']);
    expect(outputs[0]!.turns).toHaveLength(2);
    expect(outputs[0]!.turns.every((t) => t.escalate === false)).toBe(true);
    expect(outputs[1]!.turns[0]).toMatchObject({ escalate: true });
    expect(result.stderr).toMatch(/line 2: not JSON/);
    expect(result.stderr).toMatch(/line 4: turns\.0\.role/);
  });

  it('explains its usage and a missing file', async () => {
    expect((await run(['replay'])).code).toBe(2);
    const missing = await run(['replay', '--data', path.join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });
});
