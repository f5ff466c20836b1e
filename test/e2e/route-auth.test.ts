/**
 * Walks every route the running server registered (read from restify's router, so routes added
 * later are walked too) and checks that each one outside an explicit public list refuses a request
 * without a session (401) and a session of a role it does not allow (403), and that API responses
 * carry the protective headers.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import type { StaffRole } from '../../storage/ports';
import { keywordRecognizer } from '../support/keyword-recognizer';
import { signInStaff } from '../support/staff-session';

const ROOT = path.resolve(__dirname, '..', '..');

interface PublicRoute {
  readonly method?: string;
  readonly path: string | RegExp;
  /** Why anyone may call it: every entry must say. */
  readonly why: string;
}

/** Routes anyone may call. Keep this list short and explicit: a new entry needs a reason. */
const PUBLIC_ROUTES: readonly PublicRoute[] = [
  { method: 'GET', path: '/', why: 'the customer web chat page' },
  { method: 'GET', path: '/healthz', why: 'liveness probe for the orchestrator' },
  { method: 'GET', path: '/readyz', why: 'readiness probe for the load balancer' },
  { method: 'POST', path: '/api/messages', why: 'Bot Framework endpoint: channel JWTs when MicrosoftAppId is set (jwt-validation.test.ts)' },
  { method: 'POST', path: '/api/agent/login', why: 'staff sign-in itself (rate limited)' },
  { method: 'POST', path: '/api/webchat/token', why: 'hands the customer web chat page a Direct Line token of its own conversation' },
  { path: /^\/v3\/directline\//, why: 'Direct Line API: authorised by its own conversation tokens' },
  { method: 'GET', path: /^\/api\/[\w-]+\/openapi\.json$/, why: 'API descriptions, public like any API reference' },
  { method: 'GET', path: /^\/(agent|studio|insights)\/?$/, why: 'staff page shells: they hold no data and sign in through the API' },
  { method: 'GET', path: /^\/(?!api\/|admin\/)[\w/.-]*\.(js|mjs|css|html|svg|png|ico|map|woff2?)$/, why: 'static page assets (scripts, styles, images)' },
];

/** Guarded by their own token instead of a staff session. */
const OWN_TOKEN_ROUTES: readonly PublicRoute[] = [{ method: 'GET', path: '/metrics', why: 'METRICS_TOKEN bearer (metrics.test.ts)' }];

/** Open to every signed-in role: they concern the caller's own session. */
const ANY_STAFF_ROUTES: readonly PublicRoute[] = [
  { method: 'GET', path: '/api/agent/me', why: 'who am I' },
  { method: 'POST', path: '/api/agent/logout', why: 'ends the caller’s own session' },
  { method: 'POST', path: '/api/agent/password', why: 'changes the caller’s own password (needs the current one)' },
];

const ROLES: readonly StaffRole[] = ['agent', 'supervisor', 'content'];

interface RegisteredRoute {
  readonly method: string;
  readonly path: string;
}

function listed(list: readonly PublicRoute[], route: RegisteredRoute): boolean {
  return list.some((entry) => (entry.method === undefined || entry.method === route.method) && (typeof entry.path === 'string' ? entry.path === route.path : entry.path.test(route.path)));
}

/** A URL for a route pattern: parameters and wildcards become a harmless placeholder. */
function concrete(routePath: string): string {
  return routePath.replace(/:\w+/g, 'placeholder').replace(/\*/g, 'placeholder');
}

describe('authentication and roles on every route', () => {
  let dataDir: string;
  let attune: RunningAttune;
  let routes: RegisteredRoute[];
  const tokens = {} as Record<StaffRole, string>;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-routes-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, METRICS_TOKEN: 'route-walk-token-0123456789' }, ROOT);
    attune = await startAttune(config, pino({ level: 'silent' }), { recognizer: keywordRecognizer() });
    for (const role of ROLES) tokens[role] = (await signInStaff(attune.url, attune.store.agents, `walker-${role}`, role)).token;
    const registered = Object.values(attune.server.router.getRoutes() as unknown as Record<string, { method: string; path: unknown }>);
    routes = registered.map((route) => {
      if (typeof route.path !== 'string') throw new Error(`route ${route.method} ${String(route.path)} is not a string pattern: teach this test to walk it`);
      return { method: route.method, path: route.path };
    });
  });

  afterAll(async () => {
    await attune?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  /** Calls a route; a streaming answer (SSE) is cut off once its status is known. */
  async function call(route: RegisteredRoute, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers }> {
    const controller = new AbortController();
    const hasBody = !['GET', 'HEAD', 'DELETE'].includes(route.method);
    const response = await fetch(`${attune.url}${concrete(route.path)}`, {
      method: route.method,
      headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...headers },
      body: hasBody ? '{}' : undefined,
      signal: controller.signal,
    });
    controller.abort();
    return { status: response.status, headers: response.headers };
  }

  it('finds the routes of every layer (the walk is not empty)', () => {
    const paths = routes.map((r) => r.path);
    expect(paths).toEqual(expect.arrayContaining(['/api/messages', '/api/agent/queue', '/admin/queues', '/metrics']));
    expect(routes.length).toBeGreaterThanOrEqual(20);
  });

  it('refuses every non-public route without a session: 401', async () => {
    const open: string[] = [];
    for (const route of routes) {
      if (listed(PUBLIC_ROUTES, route)) continue;
      const { status } = await call(route);
      if (status !== 401) open.push(`${route.method} ${route.path} → ${status}`);
    }
    expect(open).toEqual([]);
  });

  it('refuses a staff session of a role the route does not allow: 403, and never 401 for a valid session', async () => {
    const problems: string[] = [];
    for (const route of routes) {
      if (listed(PUBLIC_ROUTES, route) || listed(OWN_TOKEN_ROUTES, route) || listed(ANY_STAFF_ROUTES, route)) continue;
      const statuses = {} as Record<StaffRole, number>;
      for (const role of ROLES) statuses[role] = (await call(route, { authorization: `Bearer ${tokens[role]}` })).status;
      const refused = ROLES.filter((role) => statuses[role] === 403);
      if (refused.length === 0) problems.push(`${route.method} ${route.path}: no role is refused (${JSON.stringify(statuses)})`);
      if (ROLES.some((role) => statuses[role] === 401)) problems.push(`${route.method} ${route.path}: a valid session got 401 (${JSON.stringify(statuses)})`);
      if (route.path.startsWith('/admin') && refused.join() !== 'agent,content') problems.push(`${route.method} ${route.path}: admin is for supervisors only (${JSON.stringify(statuses)})`);
    }
    expect(problems).toEqual([]);
  });

  it('still accepts every signed-in role on the routes about the caller’s own session', async () => {
    for (const role of ROLES) {
      const me = await fetch(`${attune.url}/api/agent/me`, { headers: { authorization: `Bearer ${tokens[role]}` } });
      expect(me.status).toBe(200);
      // Past authentication and role: the empty body is what is refused.
      const password = await call({ method: 'POST', path: '/api/agent/password' }, { authorization: `Bearer ${tokens[role]}` });
      expect(password.status).toBe(400);
    }
  });

  it('sends protective headers on API responses', async () => {
    for (const url of ['/api/agent/queue', '/healthz', '/metrics']) {
      const response = await fetch(`${attune.url}${url}`);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});
