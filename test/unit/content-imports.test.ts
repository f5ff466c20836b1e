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
});
