/**
 * Readers for the deployment kit (docker-compose.yml, Dockerfile, .dockerignore, deploy/*): just
 * enough of each format for test/unit/deploy-kit.test.ts to check the files against each other and
 * against the app without Docker. Each reader follows the documented behaviour of the real tool.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const ROOT = path.join(__dirname, '..', '..');

export function readKitFile(relative: string): string {
  return fs.readFileSync(path.join(ROOT, relative), 'utf8');
}

export function kitFileExists(relative: string): boolean {
  return fs.existsSync(path.join(ROOT, relative));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// --- docker-compose.yml --------------------------------------------------------------------------

/** The parts of a Compose service the checks read (the schema has vouched for their shapes). */
export interface ComposeService {
  readonly image?: string;
  readonly build?: string | { readonly context?: string };
  readonly restart?: string;
  readonly command?: string | readonly string[];
  readonly entrypoint?: string | readonly string[];
  readonly environment?: Readonly<Record<string, string | number | boolean | null>> | readonly string[];
  readonly depends_on?: readonly string[] | Readonly<Record<string, { readonly condition: string }>>;
  readonly healthcheck?: { readonly test?: string | readonly string[]; readonly disable?: boolean };
  readonly ports?: readonly (string | number | { readonly target?: number })[];
  readonly volumes?: readonly (string | { readonly type?: string; readonly source?: string; readonly target?: string })[];
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
}

/** YAML as Compose reads it: merge keys (`<<: *mongo`) included. */
export function parseYaml(text: string): unknown {
  return YAML.parse(text, { merge: true });
}

/** The variables a service sets, as written (`KEY` alone in list form passes the host's value: undefined). */
export function environmentOf(service: ComposeService): Record<string, string | undefined> {
  const entries: [string, string | undefined][] = Array.isArray(service.environment)
    ? service.environment.map((entry: string) => {
        const equals = entry.indexOf('=');
        return equals < 0 ? [entry, undefined] : [entry.slice(0, equals), entry.slice(equals + 1)];
      })
    : Object.entries(service.environment ?? {}).map(([name, value]) => [name, value === null ? undefined : String(value)]);
  return Object.fromEntries(entries);
}

/** The services a service waits for, with the condition (the list form means `service_started`). */
export function dependenciesOf(service: ComposeService): Record<string, string> {
  const dependsOn = service.depends_on ?? [];
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name: string) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(dependsOn).map(([name, { condition }]) => [name, condition]));
}

/** Bind mounts of files from the project, as `{ source: 'deploy/nginx.conf', target: '/etc/nginx/nginx.conf' }`. */
export function bindMountsOf(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? []).flatMap((volume) => {
    const [source, target] = typeof volume === 'string' ? volume.split(':') : [volume.source ?? '', volume.target ?? ''];
    return source.startsWith('./') || source.startsWith('../') ? [{ source: path.posix.normalize(source), target }] : [];
  });
}

/** Container ports a service publishes (`127.0.0.1:9090:9090/tcp` → 9090). */
export function publishedTargetsOf(service: ComposeService): number[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'number') return port;
    if (typeof port === 'object') return port.target ?? NaN;
    return Number(port.split('/')[0].split(':').pop());
  });
}

/** `command` or `entrypoint` as one string, for checks that look for a path in it. */
export function commandLineOf(service: ComposeService): string {
  const asText = (value: string | readonly string[] | undefined) => (Array.isArray(value) ? value.join(' ') : (value ?? ''));
  return `${asText(service.entrypoint)} ${asText(service.command)}`.trim();
}

/**
 * Compose's variable substitution: `$$` is a literal `$`; `${VAR}` and `$VAR`; `${VAR:-default}`
 * (unset or empty) and `${VAR-default}` (unset); `${VAR:?message}` and `${VAR?message}` stop
 * `docker compose` with the message, thrown here as an Error.
 */
export function interpolate(value: string, env: Readonly<Record<string, string | undefined>>): string {
  const reference = /\$(?:\$|\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_]\w*))/g;
  return value.replace(reference, (match: string, braced?: string, operator?: string, argument = '', bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    const current = env[name];
    const missing = operator?.startsWith(':') ? !current : current === undefined;
    if (operator?.endsWith('-')) return missing ? argument : (current as string);
    if (operator?.endsWith('?')) {
      if (missing) throw new Error(`required variable ${name} is missing: ${argument}`);
      return current as string;
    }
    return current ?? '';
  });
}

// --- Dockerfile and .dockerignore ----------------------------------------------------------------

export interface DockerInstruction {
  readonly keyword: string;
  readonly args: string;
}

export interface DockerStage {
  readonly name?: string;
  readonly instructions: readonly DockerInstruction[];
}

/** Stages in order, each with its instructions (continuation lines joined, comments dropped). */
export function parseDockerfile(text: string): DockerStage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: { name?: string; instructions: DockerInstruction[] }[] = [];
  for (const line of lines) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') stages.push({ name: /\sAS\s+(\S+)$/i.exec(args)?.[1], instructions: [] });
    stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

export function argsOf(stage: DockerStage, keyword: string): string[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
}

/** The stage's WORKDIR (the last one wins; `/` when none). */
export function workdirOf(stage: DockerStage): string {
  return argsOf(stage, 'WORKDIR').at(-1) ?? '/';
}

/** ENV in both forms: `ENV A=1 B=2` and the legacy `ENV A 1`. */
export function envOf(stage: DockerStage): Record<string, string> {
  return Object.fromEntries(
    argsOf(stage, 'ENV').flatMap((args): [string, string][] =>
      args.includes('=')
        ? args.split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])
        : [[args.split(/\s+/)[0], args.split(/\s+/).slice(1).join(' ')]],
    ),
  );
}

/** CMD / ENTRYPOINT as argv: the exec form is JSON, the shell form runs under `/bin/sh -c`. */
export function argvOf(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : ['/bin/sh', '-c', args];
}

/** COPY's options (`--from=build`), sources and destination. */
export function parseCopy(args: string): { from?: string; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((word) => !word.startsWith('--'));
  return { from, sources: paths.slice(0, -1), destination: paths[paths.length - 1] };
}

/**
 * Whether .dockerignore keeps a path out of the build context: patterns match the path or a folder
 * above it, `*` stays within one segment, and the last matching pattern wins (`!` re-includes).
 */
export function dockerIgnores(patterns: readonly string[], relativePath: string): boolean {
  const segments = relativePath.split('/');
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const exclude = !raw.startsWith('!');
    const pattern = path.posix.normalize(raw.replace(/^!/, '').replace(/^\/+/, ''));
    const segment = (part: string) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
    const regex = new RegExp(`^${pattern.split('**').map(segment).join('.*')}$`);
    if (candidates.some((candidate) => regex.test(candidate))) ignored = exclude;
  }
  return ignored;
}

export function dockerignorePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

// --- deploy/nginx.conf ---------------------------------------------------------------------------

function withoutComments(conf: string): string {
  return conf.replace(/#[^\n]*/g, '');
}

/** `upstream name { server host:port …; }` blocks: name → the server addresses. */
export function nginxUpstreams(conf: string): Map<string, string[]> {
  const upstreams = new Map<string, string[]>();
  for (const [, name, body] of withoutComments(conf).matchAll(/\bupstream\s+(\S+)\s*\{([^}]*)\}/g)) {
    upstreams.set(name, [...body.matchAll(/^\s*server\s+([^\s;]+)/gm)].map((match) => match[1]));
  }
  return upstreams;
}

export function nginxDirectiveValues(conf: string, directive: string): string[] {
  return [...withoutComments(conf).matchAll(new RegExp(`^\\s*${directive}\\s+([^;]+);`, 'gm'))].map((match) => match[1].trim());
}
