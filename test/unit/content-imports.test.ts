/**
 * Content files cannot import other files: botbuilder-lg's default resolver reads any path on the
 * server's disk, so `[import](/some/file)` in a previewed or validated file would show a content
 * editor what the server's files hold. Every place that parses content refuses it instead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContentLibrary } from '../../content/content-library';
import { lintContent } from '../../content/content-lint';
import { IMPORTS_REFUSED } from '../../content/parse-lg-text';

describe('LG imports in content files', () => {
  let secretFile: string;
  let importing: string;
  beforeAll(() => {
    // Shaped like an LG file on purpose: the default resolver would parse it as templates.
    secretFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attune-import-')), 'server-notes.lg');
    fs.writeFileSync(secretFile, '# leak\n- MONGODB_URI=mongodb://admin:hunter2@db\n');
    importing = `[import](${secretFile})\n\n# greeting\n- \${leak()}\n`;
  });
  afterAll(() => fs.rmSync(path.dirname(secretFile), { recursive: true, force: true }));

  it('are an error in validation, and the imported file is not read into the templates', () => {
    const problems = lintContent([{ path: 'en/general.lg', text: importing }], { defaultLocale: 'en', required: [] });
    expect(problems).toContainEqual(expect.objectContaining({ severity: 'error', file: 'en/general.lg', message: expect.stringContaining(IMPORTS_REFUSED) }));
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('make a library (preview, publish, start) refuse the files', () => {
    const build = () => ContentLibrary.fromFiles([{ path: 'en/general.lg', text: importing }], 'en');
    expect(build).toThrow(expect.objectContaining({ code: 'ATTUNE_CONTENT_INVALID', message: expect.stringContaining(IMPORTS_REFUSED) }));
    expect(build).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });

  it('refuse expression functions that run an editor-written regular expression', () => {
    // Left to run, this pattern takes seconds on the main thread (and doubles with each 'a').
    const text = ['# thanks.neutral', '- ${isMatch("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "^(a+)+$")}', '', '# goodbye.neutral', "- ${replaceIgnoreCase('bye', '(x+x+)+y', 'z')}", ''].join('\n');
    const problems = lintContent([{ path: 'en/general.lg', text }], { defaultLocale: 'en', required: [] });
    expect(problems.filter((p) => p.severity === 'error').map((p) => [p.line, p.message.split('(')[0]])).toEqual([
      [2, 'isMatch'],
      [5, 'replaceIgnoreCase'],
    ]);
    expect(() => ContentLibrary.fromFiles([{ path: 'en/general.lg', text }], 'en')).toThrow(expect.objectContaining({ code: 'ATTUNE_CONTENT_INVALID' }));
    const library = ContentLibrary.fromFiles([{ path: 'en/general.lg', text: '# thanks.neutral\n- You are welcome.\n' }], 'en');
    expect(library.variantProblems('thanks', '- ${isMatch(firstName, "^(a+)+$")}', {})).toEqual([expect.stringContaining('isMatch() is not allowed')]);
  });
});
