import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/app-config';
import { AttuneError } from '../../core/errors';

const root = '/srv/attune';

function configError(env: Record<string, string>): AttuneError {
  try {
    loadConfig(env, root);
  } catch (error) {
    if (error instanceof AttuneError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('starts on embedded defaults with nothing set', () => {
    const config = loadConfig({}, root);
    expect(config.port).toBe(3978);
    expect(config.storage).toEqual({ kind: 'embedded', dataDir: path.resolve('./data') });
    expect(config.redisUrl).toBeUndefined();
    expect(config.openai).toBeUndefined();
    expect(config.botCredentials).toBeUndefined();
    expect(config.nluModelDir).toBe('/srv/attune/models');
    expect(config.contentDir).toBe('/srv/attune/content');
  });

  it('chooses MongoDB when MONGODB_URI is set and keeps Bot Framework names', () => {
    const config = loadConfig({ MONGODB_URI: 'mongodb://127.0.0.1:27017/bank', MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret' }, root);
    expect(config.storage).toEqual({ kind: 'mongodb', uri: 'mongodb://127.0.0.1:27017/bank', dbName: undefined });
    expect(config.botCredentials).toMatchObject({ appId: 'app', appPassword: 'secret', appType: 'MultiTenant' });
  });

  it('gives an event on the Redis event bus a second unless EVENT_BUS_PUBLISH_TIMEOUT_MS says otherwise', () => {
    expect(loadConfig({}, root).eventBusPublishTimeoutMs).toBe(1000);
    expect(loadConfig({ EVENT_BUS_PUBLISH_TIMEOUT_MS: '250' }, root).eventBusPublishTimeoutMs).toBe(250);
  });

  it('runs the experiment guardrail once a minute unless EXPERIMENT_GUARDRAIL_INTERVAL_MS says otherwise', () => {
    expect(loadConfig({}, root).experimentGuardrailIntervalMs).toBe(60_000);
    expect(loadConfig({ EXPERIMENT_GUARDRAIL_INTERVAL_MS: '3600000' }, root).experimentGuardrailIntervalMs).toBe(3_600_000);
  });

  it('runs NLU on one thread when there is a second core, on the main thread when NLU_THREADS=0', () => {
    expect(loadConfig({}, root).nluThreads).toBe(os.availableParallelism() > 1 ? 1 : 0);
    expect(loadConfig({ NLU_THREADS: '0' }, root).nluThreads).toBe(0);
    expect(loadConfig({ NLU_THREADS: '3' }, root).nluThreads).toBe(3);
    expect(configError({ NLU_THREADS: '-1' }).message).toMatch(/NLU_THREADS must be a whole number from 0 to 16/);
    expect(configError({ NLU_THREADS: '17' }).message).toMatch(/NLU_THREADS must be at most 16/);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', MONGODB_URI: ' ' }, root).storage.kind).toBe('embedded');
  });

  it('is frozen', () => {
    const config = loadConfig({}, root);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.escalation)).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MONGODB_URI: 'postgres://x' }, 'MONGODB_URI'],
    [{ MONGODB_URI: 'mongodb://mongo1:27017,mongo2:port/attune' }, 'MONGODB_URI'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ FRUSTRATION_THRESHOLD: '1.5' }, 'FRUSTRATION_THRESHOLD'],
    [{ MicrosoftAppType: 'Everyone' }, 'MicrosoftAppType'],
    [{ MicrosoftAppId: 'app' }, 'MicrosoftAppPassword'],
    [{ MicrosoftAppPassword: 'secret' }, 'MicrosoftAppId'],
    [{ EXPERIMENT_GUARDRAIL_INTERVAL_MS: 'hourly' }, 'EXPERIMENT_GUARDRAIL_INTERVAL_MS'],
    [{ EXPERIMENT_GUARDRAIL_INTERVAL_MS: '10' }, 'EXPERIMENT_GUARDRAIL_INTERVAL_MS'],
    [{ EVENT_BUS_PUBLISH_TIMEOUT_MS: '0' }, 'EVENT_BUS_PUBLISH_TIMEOUT_MS'],
  ])('rejects %j naming %s', (env, variable) => {
    const error = configError(env);
    expect(error.code).toBe('ATTUNE_CONFIG_INVALID');
    expect(error.message).toContain(variable);
  });

  it('accepts a replica set seed list with ports, as docker-compose.yml gives it', () => {
    const uri = 'mongodb://app:p%40ss@mongo1:27017,mongo2:27017,mongo3:27017/attune?replicaSet=rs0';
    expect(loadConfig({ MONGODB_URI: uri }, root).storage).toEqual({ kind: 'mongodb', uri, dbName: undefined });
  });

  it('names the allowed values of an enumerated variable', () => {
    expect(configError({ LOG_LEVEL: 'loud' }).message).toContain('fatal, error, warn, info, debug, trace, silent');
  });
});

describe('loadConfig business hours', () => {
  it('defaults to 08:00-20:00 every day in London and accepts other hours', () => {
    const config = loadConfig({}, root);
    expect(config.businessHours).toMatchObject({ timezone: 'Europe/London', opensAt: 480, closesAt: 1200 });
    expect(loadConfig({ BUSINESS_HOURS: '09:30-17:00', BUSINESS_DAYS: 'Mon-Fri', BUSINESS_TIMEZONE: 'America/New_York' }, root).businessHours.days.size).toBe(5);
  });

  it('rejects malformed hours naming the variables', () => {
    const error = configError({ BUSINESS_HOURS: 'nine to five' });
    expect(error.code).toBe('ATTUNE_CONFIG_INVALID');
    expect(error.message).toContain('BUSINESS_HOURS');
  });
});

describe('loadConfig frustration weights', () => {
  it('keeps the documented defaults and applies partial overrides', () => {
    expect(loadConfig({}, root).escalation.frustrationWeights.anger).toBe(0.3);
    const tuned = loadConfig({ FRUSTRATION_WEIGHTS: '{"anger":0.5,"decay":0.6}' }, root).escalation.frustrationWeights;
    expect(tuned).toMatchObject({ anger: 0.5, decay: 0.6, sarcasm: 0.2 });
  });

  it.each(['not json', '{"angr":0.5}', '{"decay":1.5}', '{"anger":"high"}'])('rejects %s naming the variable', (value) => {
    const error = configError({ FRUSTRATION_WEIGHTS: value });
    expect(error.code).toBe('ATTUNE_CONFIG_INVALID');
    expect(error.message).toContain('FRUSTRATION_WEIGHTS');
  });
});
