/**
 * Finds the content templates the code renders, by reading the code with the TypeScript checker:
 * every argument given to a parameter named `template` (say, tell, askChoice, askYesNo,
 * templateRef, …), every `template:` property (render/text requests, small-talk decisions), and
 * the `choice.<id>` labels of `askChoice(step, template, IDS)`. A name is resolved through its
 * type, so `action.template: SmallTalk` or `agentDesk.acknowledge.${escalation.trigger}` expand to
 * every name the union allows. What stays open is a pattern (`fees.${known}` with `known: string`)
 * or, when nothing is known about it, an unresolved use the caller must account for.
 */
import path from 'node:path';
import ts from 'typescript';

export interface UseSite {
  readonly file: string;
  readonly line: number;
}

export interface TemplateUsage {
  /** Template names spelled out (or fully expanded from literal types). */
  readonly names: Map<string, UseSite[]>;
  /** Names with a part only known at run time, as regular expressions (`^fees\.[^]+$`). */
  readonly patterns: Map<string, { regex: RegExp; sites: UseSite[] }>;
  /** Variables the code passes in an object literal, by template name. */
  readonly variables: Map<string, Set<string>>;
  /** `file:line expression` of uses that are neither a name, a pattern nor a pass-through. */
  readonly unresolved: string[];
}

const TEMPLATE_PARAMETER = 'template';

/** Reads the given TypeScript files (and what they import) and collects their template uses. */
export function findTemplateUsage(files: readonly string[], options: ts.CompilerOptions, root: string): TemplateUsage {
  const program = ts.createProgram({ rootNames: [...files], options: { ...options, noEmit: true } });
  const checker = program.getTypeChecker();
  const usage: TemplateUsage = { names: new Map(), patterns: new Map(), variables: new Map(), unresolved: [] };
  const wanted = new Set(files.map((f) => path.resolve(f)));

  for (const source of program.getSourceFiles()) {
    if (!wanted.has(path.resolve(source.fileName))) continue;
    const siteOf = (node: ts.Node): UseSite => ({
      file: path.relative(root, source.fileName),
      line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
    });

    const record = (expression: ts.Expression, data: ts.Expression | undefined): void => {
      const resolved = resolve(expression, checker);
      if (resolved === 'pass-through') return;
      if (resolved === undefined) {
        const site = siteOf(expression);
        usage.unresolved.push(`${site.file}:${site.line} ${expression.getText(source)}`);
        return;
      }
      add(resolved, siteOf(expression), data ? literalKeys(data) : []);
    };

    const add = (resolved: readonly string[], site: UseSite, variables: readonly string[]): void => {
      for (const name of resolved) {
        if (name.includes('\u0000')) {
          const regex = new RegExp(`^${name.split('\u0000').map(escapeRegExp).join('.+')}$`);
          const entry = usage.patterns.get(regex.source) ?? { regex, sites: [] };
          entry.sites.push(site);
          usage.patterns.set(regex.source, entry);
          continue;
        }
        usage.names.set(name, [...(usage.names.get(name) ?? []), site]);
        if (variables.length > 0) usage.variables.set(name, new Set([...(usage.variables.get(name) ?? []), ...variables]));
      }
    };

    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const signature = checker.getResolvedSignature(node);
        const declaration = signature?.getDeclaration();
        const parameters = declaration && 'parameters' in declaration ? declaration.parameters : undefined;
        parameters?.forEach((parameter, index) => {
          const argument = node.arguments[index];
          if (!argument || !ts.isIdentifier(parameter.name)) return;
          if (parameter.name.text !== TEMPLATE_PARAMETER) return;
          const dataIndex = parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === 'data');
          record(argument, dataIndex >= 0 ? node.arguments[dataIndex] : undefined);
          // askChoice(step, template, choiceIds): each id is shown through `choice.<id>`.
          const idsIndex = parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === 'choiceIds');
          const ids = idsIndex >= 0 ? node.arguments[idsIndex] : undefined;
          const labels = ids && literalElements(ids, checker);
          if (ids && !labels) usage.unresolved.push(`${siteOf(ids).file}:${siteOf(ids).line} choice ids ${ids.getText(source)}`);
          if (labels) add(labels.map((id) => `choice.${id}`), siteOf(ids), []);
        });
      }
      if (ts.isObjectLiteralExpression(node)) {
        const template = node.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === TEMPLATE_PARAMETER);
        const data = node.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'data');
        if (template && ts.isPropertyAssignment(template)) record(template.initializer, data?.initializer);
        if (template && ts.isShorthandPropertyAssignment(template)) record(template.name, data?.initializer);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return usage;
}

/**
 * The names an expression can be. Parts known only at run time become `\u0000`. `pass-through`:
 * a parameter (or a property of one) that forwards what its caller gave, checked at that caller.
 */
function resolve(expression: ts.Expression, checker: ts.TypeChecker): string[] | 'pass-through' | undefined {
  if (ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression)) return resolve(expression.expression, checker);
  if (ts.isConditionalExpression(expression)) {
    const [a, b] = [resolve(expression.whenTrue, checker), resolve(expression.whenFalse, checker)];
    if (a === undefined || b === undefined) return undefined;
    if (a === 'pass-through' || b === 'pass-through') return 'pass-through';
    return [...a, ...b];
  }
  if (ts.isTemplateExpression(expression)) {
    let names = [expression.head.text];
    for (const span of expression.templateSpans) {
      const parts = literalStrings(checker.getTypeAtLocation(span.expression)) ?? ['\u0000'];
      names = names.flatMap((name) => parts.map((part) => `${name}${part}${span.literal.text}`));
    }
    return names;
  }
  const literals = literalStrings(checker.getTypeAtLocation(expression));
  if (literals) return literals;
  const root = rootIdentifier(expression);
  const symbol = root && checker.getSymbolAtLocation(root);
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (declaration && ts.isShorthandPropertyAssignment(declaration)) {
    const value = checker.getShorthandAssignmentValueSymbol(declaration)?.valueDeclaration;
    if (value && ts.isParameter(value)) return fromCallbackParameter(value, checker) ?? 'pass-through';
  }
  if (declaration && ts.isParameter(declaration)) return fromCallbackParameter(declaration, checker) ?? 'pass-through';
  return undefined;
}

/** `[a, b].map((template) => …)` or `names.map((template) => …)` with `names` an array of literals. */
function fromCallbackParameter(parameter: ts.ParameterDeclaration, checker: ts.TypeChecker): string[] | undefined {
  const callback = parameter.parent;
  const call = callback.parent;
  if (!(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) || !ts.isCallExpression(call)) return undefined;
  if (!ts.isPropertyAccessExpression(call.expression) || !['map', 'forEach', 'flatMap'].includes(call.expression.name.text)) return undefined;
  let array: ts.Expression = call.expression.expression;
  if (ts.isIdentifier(array)) {
    const declaration = checker.getSymbolAtLocation(array)?.valueDeclaration;
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) array = declaration.initializer;
  }
  if (!ts.isArrayLiteralExpression(array)) return literalElements(array, checker);
  const names: string[] = [];
  for (const element of array.elements) {
    const resolved = resolve(element, checker);
    if (resolved === undefined || resolved === 'pass-through') return undefined;
    names.push(...resolved);
  }
  return names;
}

/** The string literals a type allows, or undefined when it allows any string. */
function literalStrings(type: ts.Type): string[] | undefined {
  const parts = type.isUnion() ? type.types : [type];
  if (parts.length === 0 || !parts.every((t) => t.isStringLiteral())) return undefined;
  return parts.map((t) => (t as ts.StringLiteralType).value);
}

/** The literal elements of a tuple or array type (`['a', 'b'] as const`, `readonly ('a' | 'b')[]`). */
function literalElements(expression: ts.Expression, checker: ts.TypeChecker): string[] | undefined {
  const type = checker.getTypeAtLocation(expression);
  const elements = checker.isTupleType(type) ? checker.getTypeArguments(type as ts.TypeReference) : checker.isArrayType(type) ? checker.getTypeArguments(type as ts.TypeReference) : undefined;
  if (!elements) return undefined;
  const names = elements.map(literalStrings);
  return names.every((n) => n !== undefined) ? names.flat() as string[] : undefined;
}

function rootIdentifier(expression: ts.Expression): ts.Identifier | undefined {
  if (ts.isIdentifier(expression)) return expression;
  if (ts.isPropertyAccessExpression(expression)) return rootIdentifier(expression.expression);
  return undefined;
}

/** Own keys of an object literal (spreads are the turn's common data, not counted). */
function literalKeys(expression: ts.Expression): string[] {
  if (!ts.isObjectLiteralExpression(expression)) return [];
  return expression.properties.flatMap((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? [p.name.text] : []));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What the registry needs to know about a template: its name and the variables it may get. */
export interface RegisteredTemplate {
  readonly name: string;
  readonly variables?: readonly string[];
}

/**
 * Every way the code and the registry (content/required-templates.ts) or the copy disagree:
 * a name the code renders that is not registered or has no copy, a run-time name no registered
 * template matches, a variable the code passes that the registry does not list.
 */
export function templateGaps(usage: TemplateUsage, registered: readonly RegisteredTemplate[], commonVariables: readonly string[], hasCopy: (name: string) => boolean): string[] {
  const byName = new Map(registered.map((r) => [r.name, r]));
  const where = (sites: readonly UseSite[]) => sites.map((s) => `${s.file}:${s.line}`).join(', ');
  const gaps: string[] = [];
  for (const [name, sites] of usage.names) {
    if (!byName.has(name)) gaps.push(`"${name}" (${where(sites)}) is not in required-templates.ts`);
    if (!hasCopy(name)) gaps.push(`"${name}" (${where(sites)}) has no copy in content/`);
  }
  for (const { regex, sites } of usage.patterns.values()) {
    if (!registered.some((r) => regex.test(r.name))) gaps.push(`no registered template matches ${regex} (${where(sites)})`);
  }
  for (const [name, variables] of usage.variables) {
    const allowed = new Set([...commonVariables, ...(byName.get(name)?.variables ?? [])]);
    for (const variable of variables) if (!allowed.has(variable)) gaps.push(`"${name}" gets \${${variable}} but required-templates.ts does not list it`);
  }
  return gaps;
}
