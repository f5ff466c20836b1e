/**
 * content/required-templates.ts cannot fall behind the code: the code is read with the TypeScript
 * checker for every template it renders (test/support/template-usage.ts), and each one must be
 * registered, with the variables the code passes, and have copy in content/.
 */
import path from 'node:path';
import ts from 'typescript';
import { ContentLibrary } from '../../content/content-library';
import { COMMON_VARIABLES, REQUIRED_TEMPLATES } from '../../content/required-templates';
import { findTemplateUsage, templateGaps, type TemplateUsage } from '../support/template-usage';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'template-usage', 'renders.ts');

/**
 * Uses that name no template of the bot's copy: the content tooling works on names a person
 * types (studio preview, CLI) or on parsed templates, and the turn recorder stores the name.
 */
const NOT_RENDERING = [/^content\//, /^server\/content-api\.ts:\d+ (body\.template|z\.string\(\))/, /^bots\/turn-recorder\.ts:\d+ renderedFrom\?\.template$/];

function projectSources(): { files: string[]; options: ts.CompilerOptions } {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error('tsconfig.json could not be read');
  const files = config.fileNames.filter((file) => !/^(test|bench|scripts)\//.test(path.relative(ROOT, file)));
  return { files, options: { ...config.options, types: ['node'] } };
}

describe('the template scanner', () => {
  let usage: TemplateUsage;
  beforeAll(() => {
    usage = findTemplateUsage([FIXTURE], { strict: true, types: [], noEmit: true }, ROOT);
  }, 60_000);

  it('finds literals, both sides of a choice, literal-typed names, choice labels and arrays of names', () => {
    expect([...usage.names.keys()].sort()).toEqual(
      ['choice.here', 'choice.there', 'fixture.first', 'fixture.hello', 'fixture.mood.calm', 'fixture.mood.cross', 'fixture.nextStep', 'fixture.no', 'fixture.second', 'fixture.where', 'fixture.yes'].sort(),
    );
    expect(usage.names.get('fixture.hello')).toEqual([{ file: 'test/fixtures/template-usage/renders.ts', line: 11 }]);
    expect([...usage.patterns.values()].map((p) => p.regex.source)).toEqual(['^fixture\\.any\\..+$']);
    expect(usage.variables.get('fixture.hello')).toEqual(new Set(['nickname']));
    expect(usage.unresolved).toEqual([]);
  });

  it('reports a name the registry lacks, copy that is missing, an unmatched pattern and an unlisted variable', () => {
    const registered = [{ name: 'fixture.hello' }, { name: 'fixture.yes' }];
    const gaps = templateGaps(usage, registered, ['firstName'], (name) => name !== 'fixture.yes');
    expect(gaps).toContainEqual(expect.stringMatching(/^"fixture\.no" \(test\/fixtures\/template-usage\/renders\.ts:12\) is not in required-templates\.ts$/));
    expect(gaps).toContain('"fixture.yes" (test/fixtures/template-usage/renders.ts:12) has no copy in content/');
    expect(gaps).toContainEqual(expect.stringMatching(/^no registered template matches .*fixture.*any/));
    expect(gaps).toContain('"fixture.hello" gets ${nickname} but required-templates.ts does not list it');
    expect(gaps).not.toContainEqual(expect.stringMatching(/^"fixture\.hello" .*is not in/));
  });
});

describe('required-templates.ts against the code', () => {
  let usage: TemplateUsage;
  let content: ContentLibrary;
  beforeAll(async () => {
    const { files, options } = projectSources();
    usage = findTemplateUsage(files, options, ROOT);
    content = await ContentLibrary.load(path.join(ROOT, 'content'), 'en');
  }, 180_000);

  it('finds the renders it must (a scanner that finds nothing would pass everything)', () => {
    for (const name of ['welcome', 'dispute.askAmount', 'choice.chargedTwice', 'resume.offer', 'offers.why', 'agentDesk.nextStep', 'agentDesk.acknowledge.high_risk', 'greeting']) {
      expect(usage.names.has(name)).toBe(true);
    }
    expect(usage.variables.get('resume.offer')).toEqual(new Set(['task', 'stepsDone']));
  });

  it('lists every template the code renders, with its variables, and content/ has copy for each', () => {
    const gaps = templateGaps(usage, REQUIRED_TEMPLATES, COMMON_VARIABLES, (name) => content.has(name));
    expect(gaps).toEqual([]);
  });

  it('resolves every template use, apart from the tooling that takes names from people', () => {
    expect(usage.unresolved.filter((use) => !NOT_RENDERING.some((allowed) => allowed.test(use)))).toEqual([]);
  });
});
