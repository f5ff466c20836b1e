/**
 * Content lint on fixtures (test/fixtures/content-lint/) and on the project's own content, through
 * the function the API uses and through the CLI a content team runs.
 */
import path from 'node:path';
import { Templates } from 'botbuilder-lg';
import { main } from '../../content/cli';
import { readContentFiles } from '../../content/content-files';
import { lintContent, type ContentProblem } from '../../content/content-lint';
import type { RequiredTemplate } from '../../content/required-templates';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'content-lint');
const ROOT = path.join(__dirname, '..', '..');
const required: RequiredTemplate[] = [
  { name: 'greeting', kind: 'toned' },
  { name: 'thanks', kind: 'toned' },
  { name: 'goodbye', kind: 'toned' },
];

async function lintFixture(name: string): Promise<ContentProblem[]> {
  return lintContent(await readContentFiles(path.join(FIXTURES, name)), { defaultLocale: 'en', required });
}

function capture(): { stream: { write(chunk: string): boolean }; text: () => string } {
  let text = '';
  return { stream: { write: (chunk: string) => ((text += chunk), true) }, text: () => text };
}

describe('content lint', () => {
  it('catches a missing tone variant with the file and line of the template', async () => {
    const problems = await lintFixture('missing-tone');
    const tone = problems.filter((p) => p.code === 'missing_tone_variant');
    expect(tone).toEqual([expect.objectContaining({ severity: 'error', file: 'en/general.lg', line: 9, template: 'greeting' })]);
    expect(tone[0].message).toContain('"greeting.warm"');
  });

  it('reports a template the code asks for and no file defines', async () => {
    const problems = await lintFixture('missing-tone');
    expect(problems).toContainEqual(expect.objectContaining({ severity: 'error', code: 'missing_template', template: 'goodbye' }));
  });

  it('reports broken references, duplicates, unknown variables and over-long SMS copy with file:line', async () => {
    const problems = await lintFixture('problems');
    const found = (code: string) => problems.filter((p) => p.code === code).map((p) => `${p.file}:${p.line}`);
    expect(found('broken_reference')).toEqual(['en/cardArrival.lg:4']);
    expect(found('duplicate_template')).toEqual([expect.stringMatching(/^en\/(general|cardArrival)\.lg:\d+$/)]);
    expect(found('unknown_variable')).toEqual(['en/general.lg:4']);
    expect(problems.find((p) => p.code === 'unknown_variable')?.message).toContain('nickname');
    expect(problems).toContainEqual(expect.objectContaining({ code: 'too_long_for_channel', severity: 'error', template: 'greeting.neutral.short', line: 15 }));
    // thanks has only neutral, but the code treats it as a toned reply.
    expect(problems).toContainEqual(expect.objectContaining({ code: 'missing_tone_variant', template: 'thanks' }));
  });

  it('passes the clean parts: a complete family is not reported', async () => {
    const problems = await lintFixture('missing-tone');
    expect(problems.filter((p) => p.template === 'thanks')).toEqual([]);
  });

  it('CLI: exits 1 on the fixture and prints file:line for the missing tone', async () => {
    const out = capture();
    const err = capture();
    const code = await main(['lint', path.join(FIXTURES, 'missing-tone')], { DATA_DIR: '/nonexistent' }, out.stream, err.stream);
    expect(code).toBe(1);
    expect(out.text()).toMatch(/missing-tone\/en\/general\.lg:9 error missing_tone_variant greeting: /);
  });

  it("CLI: the project's own content lints without errors or warnings", async () => {
    const out = capture();
    const code = await main(['lint', path.join(ROOT, 'content')], {}, out.stream, capture().stream);
    expect(out.text()).not.toMatch(/ error /);
    expect(out.text()).toMatch(/ files, 0 error\(s\), 0 warning\(s\)\n$/);
    expect(code).toBe(0);
  });

  it('CLI preview renders what an SMS customer would read, buttons as a numbered list', async () => {
    const out = capture();
    const code = await main(['preview', 'help', '--mood', 'frustrated', '--channel', 'sms'], {}, out.stream, capture().stream);
    expect(code).toBe(0);
    expect(out.text()).toMatch(/^Sorry this has been hard\./);
    expect(out.text()).toMatch(/\n1\. My card hasn't arrived\n/);
  });

  it('measures a template with too many phrasings to expand on random renders, and still catches copy too long for SMS', () => {
    const word = Array.from({ length: 8 }, (_, i) => `- ${String(i).repeat(60)}`).join('\n');
    const text = ['# word', word, '', '# thanks.neutral', `- ${Array.from({ length: 6 }, () => '${word()}').join(' ')}`, '', '# goodbye.neutral', '- ${word()} bye', ''].join('\n');
    const expand = jest.spyOn(Templates.prototype, 'expandTemplate');
    try {
      const problems = lintContent([{ path: 'en/general.lg', text }], { defaultLocale: 'en', required: [] });
      // 8⁶ = 262,144 phrasings: sampled, not expanded; 8 phrasings: expanded.
      expect(expand.mock.calls.map(([name]) => name)).not.toContain('thanks.neutral');
      expect(expand.mock.calls.map(([name]) => name)).toContain('goodbye.neutral');
      expect(problems).toContainEqual(expect.objectContaining({ code: 'too_long_for_channel', template: 'thanks.neutral' }));
    } finally {
      expand.mockRestore();
    }
  });
});
