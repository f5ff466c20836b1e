/**
 * The one way attune parses LG text: botbuilder-lg's parser with imports refused, and calls of the
 * expression functions that build a regular expression from their arguments marked as errors.
 *
 * - Imports: the default import resolver reads any path on the server's disk (`[import](/etc/…)`),
 *   which would let a content editor read the server's files through a preview or a validation
 *   message, and make a published version depend on files only some instances have. Content files
 *   stand alone: every template a file uses is in the published version's own files.
 * - `isMatch` and `replaceIgnoreCase` run an editor-written pattern on the bot's main thread, where
 *   one with nested quantifiers (`^(a+)+$`) takes seconds (doubling with each character) and holds
 *   every customer's turn meanwhile; copy has no need for them. As errors, a file using them is
 *   neither previewed, nor analysed by lint, nor published, and a variant using one is refused.
 */
import { Diagnostic, DiagnosticSeverity, Range, Templates, type ImportResolverDelegate } from 'botbuilder-lg';

export const IMPORTS_REFUSED = 'Imports ([name](path)) are not supported: content files stand alone, and templates in other files of the same locale can be used by name.';

const refuseImports: ImportResolverDelegate = () => {
  throw new Error(IMPORTS_REFUSED);
};

/** Expression functions that compile an argument into a regular expression. */
const REGEX_FUNCTIONS = /\b(isMatch|replaceIgnoreCase)\s*\(/g;

/** Parses LG text; an import or a regex function is an error diagnostic, as a syntax error is. */
export function parseLgText(text: string, id: string): Templates {
  const templates = Templates.parseText(text, id, refuseImports);
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    for (const call of line.matchAll(REGEX_FUNCTIONS)) {
      const at = call.index;
      const message = `${call[1]}() is not allowed in content: it runs an editor-written regular expression on the bot's main thread, where one pattern can hold every customer's reply for seconds.`;
      templates.diagnostics.push(new Diagnostic(new Range(index + 1, at, index + 1, at + call[1]!.length), message, DiagnosticSeverity.Error, id));
    }
  }
  return templates;
}
