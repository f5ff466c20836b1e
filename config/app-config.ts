/**
 * Configuration: environment variables read once at start, validated with zod and frozen.
 * A bad value stops the start with a message naming the variable and what it accepts.
 * Every variable is documented in the README's configuration table.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { AttuneError } from '../core/errors';
import { parseBusinessHours, type BusinessHours } from '../escalation/business-hours';
import { DEFAULT_FRUSTRATION_WEIGHTS, type FrustrationWeights } from '../escalation/frustration-meter';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

/** Empty strings count as unset: `FOO= npm start` should behave like not setting FOO. */
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

function integer(name: string, fallback: number, min: number, max: number) {
  return optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, `${name} must be a whole number from ${min} to ${max}`)
      .transform(Number)
      .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))
      .optional(),
  ).transform((value) => value ?? fallback);
}

function ratio(name: string, fallback: number) {
  return optionalString.pipe(
    z
      .string()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/, `${name} must be a number from 0 to 1`)
      .transform(Number)
      .optional(),
  ).transform((value) => value ?? fallback);
}

function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T, fallback: T[number]) {
  return optionalString.pipe(
    z.enum(values, { error: () => `${name} must be one of: ${values.join(', ')}` }).optional(),
  ).transform((value) => value ?? fallback);
}

function url(name: string, protocols: readonly string[]) {
  return optionalString.pipe(
    z
      .string()
      .refine((value) => protocols.some((protocol) => value.startsWith(`${protocol}//`)) && canParseUrl(value), {
        message: `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      })
      .optional(),
  );
}

/**
 * A WHATWG URL holds one host, but a MongoDB replica set is given as a seed list
 * (`mongodb://mongo1:27017,mongo2:27017/attune?replicaSet=rs0`): that is checked host by host.
 */
function canParseUrl(value: string): boolean {
  const seedList = /^(mongodb:\/\/(?:[^@/?#]*@)?)([^/?#]*)(.*)$/.exec(value);
  if (!seedList) return URL.canParse(value);
  const [, prefix, hosts, rest] = seedList;
  return hosts.split(',').every((host) => URL.canParse(`${prefix}${host}${rest}`));
}

/**
 * One NLU thread when there is a second core for it: the main thread is what bounds a bot's
 * turns per second, and one thread classifies several times more messages than it can take.
 */
const DEFAULT_NLU_THREADS = os.availableParallelism() > 1 ? 1 : 0;

const environmentSchema = z.object({
  PORT: integer('PORT', 3978, 0, 65535),
  HOST: optionalString.transform((value) => value ?? '0.0.0.0'),
  LOG_LEVEL: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  DATA_DIR: optionalString.transform((value) => value ?? './data'),
  MONGODB_URI: url('MONGODB_URI', ['mongodb:', 'mongodb+srv:']),
  MONGODB_DB: optionalString,
  REDIS_URL: url('REDIS_URL', ['redis:', 'rediss:']),
  QUEUE_PREFIX: optionalString.pipe(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'QUEUE_PREFIX must be 1–40 letters, digits, _ or -').optional()).transform((value) => value ?? 'attune'),
  EVENT_BUS_PUBLISH_TIMEOUT_MS: integer('EVENT_BUS_PUBLISH_TIMEOUT_MS', 1000, 50, 60_000),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: url('OPENAI_BASE_URL', ['http:', 'https:']),
  OPENAI_MODEL: optionalString.transform((value) => value ?? 'gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: integer('OPENAI_TIMEOUT_MS', 1500, 100, 60000),
  NLU_MODEL_DIR: optionalString,
  NLU_THREADS: integer('NLU_THREADS', DEFAULT_NLU_THREADS, 0, 16),
  CONTENT_DIR: optionalString,
  DEFAULT_LOCALE: optionalString.transform((value) => value ?? 'en'),
  FRUSTRATION_THRESHOLD: ratio('FRUSTRATION_THRESHOLD', 0.7),
  FAILED_TURNS_TO_ESCALATE: integer('FAILED_TURNS_TO_ESCALATE', 3, 1, 10),
  FRUSTRATION_WEIGHTS: optionalString,
  BUSINESS_HOURS: optionalString.transform((value) => value ?? '08:00-20:00'),
  BUSINESS_DAYS: optionalString.transform((value) => value ?? 'Mon-Sun'),
  BUSINESS_TIMEZONE: optionalString.transform((value) => value ?? 'Europe/London'),
  ESCALATION_SLA_MINUTES: integer('ESCALATION_SLA_MINUTES', 10, 1, 24 * 60),
  ABANDON_AFTER_MINUTES: integer('ABANDON_AFTER_MINUTES', 30, 1, 7 * 24 * 60),
  MicrosoftAppId: optionalString,
  MicrosoftAppPassword: optionalString,
  MicrosoftAppType: oneOf('MicrosoftAppType', APP_TYPES, 'MultiTenant'),
  MicrosoftAppTenantId: optionalString,
  ToBotFromChannelOpenIdMetadataUrl: url('ToBotFromChannelOpenIdMetadataUrl', ['https:', 'http:']),
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional()),
  CONVERSATION_RATE_LIMIT_PER_MINUTE: integer('CONVERSATION_RATE_LIMIT_PER_MINUTE', 60, 0, 100_000),
  CONVERSATION_RATE_LIMIT_BURST: integer('CONVERSATION_RATE_LIMIT_BURST', 20, 1, 100_000),
  DIRECT_LINE_TOKEN_SECRET: optionalString.pipe(z.string().min(32, 'DIRECT_LINE_TOKEN_SECRET must be at least 32 characters (e.g. openssl rand -base64 48)').optional()),
  DIRECT_LINE_SECRET: optionalString,
  DIRECT_LINE_DOMAIN: url('DIRECT_LINE_DOMAIN', ['https:', 'http:']),
  DIRECT_LINE_TOKENS_PER_MINUTE: integer('DIRECT_LINE_TOKENS_PER_MINUTE', 20, 1, 10_000),
  TRUSTED_PROXY_HOPS: integer('TRUSTED_PROXY_HOPS', 0, 0, 10),
  EXPERIMENT_GUARDRAIL_INTERVAL_MS: integer('EXPERIMENT_GUARDRAIL_INTERVAL_MS', 60_000, 1000, 24 * 60 * 60_000),
});

/** Every environment variable loadConfig reads (the deployment kit's test checks docker-compose.yml sets no other). */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.freeze(Object.keys(environmentSchema.shape));

export type LogLevel = (typeof LOG_LEVELS)[number];

/** Bot Framework credentials: present means channel JWTs are validated. */
export interface BotCredentials {
  readonly appId: string;
  readonly appPassword?: string;
  readonly appType: (typeof APP_TYPES)[number];
  readonly tenantId?: string;
  /** Replaces the public cloud's OpenID metadata for channel tokens (server/auth/bot-framework-endpoints.ts). */
  readonly openIdMetadataUrl?: string;
}

export type StorageSettings =
  | { readonly kind: 'embedded'; readonly dataDir: string }
  | { readonly kind: 'mongodb'; readonly uri: string; readonly dbName?: string };

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly storage: StorageSettings;
  /** Absent: the in-process queue (embedded default). */
  readonly redisUrl?: string;
  /** Redis key prefix of the queues, so several deployments can share one Redis. */
  readonly queuePrefix: string;
  /** How long an event on the Redis event bus may wait for Redis before it counts as not sent. */
  readonly eventBusPublishTimeoutMs: number;
  /** Absent: no LLM; everything runs on the local models. */
  readonly openai?: { readonly apiKey: string; readonly baseUrl?: string; readonly model: string; readonly timeoutMs: number };
  readonly nluModelDir: string;
  /** Worker threads the local NLU runs on; 0 runs it on the main thread. */
  readonly nluThreads: number;
  readonly contentDir: string;
  readonly defaultLocale: string;
  readonly escalation: {
    readonly frustrationThreshold: number;
    /** The frustration meter's weights: the documented defaults with any overrides applied. */
    readonly frustrationWeights: FrustrationWeights;
    readonly failedTurnsToEscalate: number;
    readonly slaMs: number;
    readonly abandonAfterMs: number;
  };
  /** When people are on shift to take escalated chats. */
  readonly businessHours: BusinessHours;
  /** Absent: local/Emulator mode, requests are not authenticated. */
  readonly botCredentials?: BotCredentials;
  /** Bearer token GET /metrics requires; absent: /metrics is open (observability/metrics-endpoint.ts). */
  readonly metricsToken?: string;
  /** Proxies in front whose X-Forwarded-For entries name the client (rate limits per client address). */
  readonly trustedProxyHops: number;
  /** Messages per conversation on POST /api/messages (token bucket); absent: no limit. */
  readonly conversationRateLimit?: { readonly perMinute: number; readonly burst: number };
  /** The customer web chat: the built-in Direct Line endpoint, or Azure's when a secret is set. */
  readonly directLine: DirectLineSettings;
  /** How often the experiment guardrail runs, across all instances (experiments/guardrail-watch.ts). */
  readonly experimentGuardrailIntervalMs: number;
}

export interface DirectLineSettings {
  /** Signs the built-in endpoint's tokens; absent: a random key per process (one instance only). */
  readonly tokenSecret?: string;
  /** Set: the page gets its tokens from Azure Direct Line and the built-in endpoint is off. */
  readonly azure?: { readonly secret: string; readonly domain: string };
  /** Tokens (new conversations) per client address per minute. */
  readonly tokensPerMinute: number;
}

/**
 * Reads and validates the configuration.
 * @param env the environment (process.env in production; a plain object in tests)
 * @param projectRoot where relative default paths (models, content) are resolved from
 * @throws AttuneError ATTUNE_CONFIG_INVALID naming every bad variable
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, projectRoot: string): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new AttuneError('ATTUNE_CONFIG_INVALID', `Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const vars = parsed.data;
  return deepFreeze({
    port: vars.PORT,
    host: vars.HOST,
    logLevel: vars.LOG_LEVEL,
    storage: vars.MONGODB_URI
      ? { kind: 'mongodb', uri: vars.MONGODB_URI, dbName: vars.MONGODB_DB }
      : { kind: 'embedded', dataDir: path.resolve(vars.DATA_DIR) },
    redisUrl: vars.REDIS_URL,
    queuePrefix: vars.QUEUE_PREFIX,
    eventBusPublishTimeoutMs: vars.EVENT_BUS_PUBLISH_TIMEOUT_MS,
    openai: vars.OPENAI_API_KEY
      ? { apiKey: vars.OPENAI_API_KEY, baseUrl: vars.OPENAI_BASE_URL, model: vars.OPENAI_MODEL, timeoutMs: vars.OPENAI_TIMEOUT_MS }
      : undefined,
    nluModelDir: path.resolve(projectRoot, vars.NLU_MODEL_DIR ?? 'models'),
    nluThreads: vars.NLU_THREADS,
    contentDir: path.resolve(projectRoot, vars.CONTENT_DIR ?? 'content'),
    defaultLocale: vars.DEFAULT_LOCALE,
    escalation: {
      frustrationThreshold: vars.FRUSTRATION_THRESHOLD,
      frustrationWeights: readFrustrationWeights(vars.FRUSTRATION_WEIGHTS),
      failedTurnsToEscalate: vars.FAILED_TURNS_TO_ESCALATE,
      slaMs: vars.ESCALATION_SLA_MINUTES * 60_000,
      abandonAfterMs: vars.ABANDON_AFTER_MINUTES * 60_000,
    },
    businessHours: readBusinessHours(vars),
    botCredentials: readBotCredentials(vars),
    metricsToken: vars.METRICS_TOKEN,
    trustedProxyHops: vars.TRUSTED_PROXY_HOPS,
    conversationRateLimit:
      vars.CONVERSATION_RATE_LIMIT_PER_MINUTE === 0 ? undefined : { perMinute: vars.CONVERSATION_RATE_LIMIT_PER_MINUTE, burst: vars.CONVERSATION_RATE_LIMIT_BURST },
    directLine: {
      tokenSecret: vars.DIRECT_LINE_TOKEN_SECRET,
      azure: vars.DIRECT_LINE_SECRET
        ? { secret: vars.DIRECT_LINE_SECRET, domain: (vars.DIRECT_LINE_DOMAIN ?? 'https://directline.botframework.com/v3/directline').replace(/\/+$/, '') }
        : undefined,
      tokensPerMinute: vars.DIRECT_LINE_TOKENS_PER_MINUTE,
    },
    experimentGuardrailIntervalMs: vars.EXPERIMENT_GUARDRAIL_INTERVAL_MS,
  });
}

/** `FRUSTRATION_WEIGHTS='{"anger":0.4,"decay":0.6}'`: overrides some weights, keeps the rest. */
function readFrustrationWeights(json: string | undefined): FrustrationWeights {
  if (json === undefined) return DEFAULT_FRUSTRATION_WEIGHTS;
  const names = Object.keys(DEFAULT_FRUSTRATION_WEIGHTS) as [keyof FrustrationWeights, ...(keyof FrustrationWeights)[]];
  const schema = z.strictObject(Object.fromEntries(names.map((name) => [name, z.number().min(0).max(name === 'decay' ? 1 : 5).optional()])));
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new AttuneError('ATTUNE_CONFIG_INVALID', 'Invalid configuration:\n  FRUSTRATION_WEIGHTS must be a JSON object such as {"anger":0.4}');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new AttuneError(
      'ATTUNE_CONFIG_INVALID',
      `Invalid configuration:\n  FRUSTRATION_WEIGHTS: ${result.error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`).join('; ')} (weights: ${names.join(', ')})`,
    );
  }
  return { ...DEFAULT_FRUSTRATION_WEIGHTS, ...(result.data as Partial<FrustrationWeights>) };
}

function readBusinessHours(vars: z.infer<typeof environmentSchema>): BusinessHours {
  try {
    return parseBusinessHours(vars.BUSINESS_HOURS, vars.BUSINESS_DAYS, vars.BUSINESS_TIMEZONE);
  } catch (error) {
    throw new AttuneError(
      'ATTUNE_CONFIG_INVALID',
      `Invalid configuration:\n  BUSINESS_HOURS / BUSINESS_DAYS / BUSINESS_TIMEZONE: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function readBotCredentials(vars: z.infer<typeof environmentSchema>): BotCredentials | undefined {
  if (!vars.MicrosoftAppId) {
    if (vars.MicrosoftAppPassword) {
      throw new AttuneError('ATTUNE_CONFIG_INVALID', 'Invalid configuration:\n  MicrosoftAppPassword is set but MicrosoftAppId is not');
    }
    return undefined;
  }
  if (vars.MicrosoftAppType !== 'UserAssignedMSI' && !vars.MicrosoftAppPassword) {
    throw new AttuneError(
      'ATTUNE_CONFIG_INVALID',
      `Invalid configuration:\n  MicrosoftAppPassword is required when MicrosoftAppId is set and MicrosoftAppType is ${vars.MicrosoftAppType}`,
    );
  }
  if (vars.MicrosoftAppType === 'SingleTenant' && !vars.MicrosoftAppTenantId) {
    throw new AttuneError('ATTUNE_CONFIG_INVALID', 'Invalid configuration:\n  MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant');
  }
  return {
    appId: vars.MicrosoftAppId,
    appPassword: vars.MicrosoftAppPassword,
    appType: vars.MicrosoftAppType,
    tenantId: vars.MicrosoftAppTenantId,
    openIdMetadataUrl: vars.ToBotFromChannelOpenIdMetadataUrl,
  };
}

function deepFreeze<T>(value: T): T {
  // Sets (business days) are frozen as objects but stay usable; their contents are numbers.
  if (value && typeof value === 'object' && !(value instanceof Set)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
