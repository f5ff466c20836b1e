/**
 * The one way attune parses LG text: botbuilder-lg's parser with imports refused. Its default
 * import resolver reads any path on the server's disk (`[import](/etc/…)`), which would let a
 * content editor read the server's files through a preview or a validation message, and make a
 * published version depend on files only some instances have. Content files stand alone: every
 * template a file uses is in the published version's own files.
 */
import { Templates, type ImportResolverDelegate } from 'botbuilder-lg';

export const IMPORTS_REFUSED = 'Imports ([name](path)) are not supported: content files stand alone, and templates in other files of the same locale can be used by name.';

const refuseImports: ImportResolverDelegate = () => {
  throw new Error(IMPORTS_REFUSED);
};

/** Parses LG text; an import is an error diagnostic, as a syntax error is. */
export function parseLgText(text: string, id: string): Templates {
  return Templates.parseText(text, id, refuseImports);
}
