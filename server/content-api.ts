/**
 * The content API (JSON, bearer-token auth, roles `content` and `supervisor`; OpenAPI in
 * server/openapi/content-api.json): browse templates, validate, preview (for demo personas, never a
 * customer), publish and restore versions, and run experiments. The studio page (/studio) is a
 * client of exactly this API. Reads never change state: experiment results only say what the
 * guardrail would do; the guardrail itself runs in the background (experiments/guardrail-watch.ts).
 */
import type { Response, Server } from 'restify';
import { z } from 'zod';
import { ContentLibrary } from '../content/content-library';
import { hasErrors, type ContentProblem } from '../content/content-lint';
import { MOOD_TONES, previewReply } from '../content/content-preview';
import type { PreviewProfiles } from '../content/preview-profiles';
import type { ContentPublisher, PublishResult } from '../content/content-publisher';
import { catalogTemplates } from '../content/template-catalog';
import { AttuneError, isAttuneError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ExperimentService } from '../experiments/experiment-service';
import { TONES } from '../personalization/tone';
import openApi from './openapi/content-api.json';
import type { StaffAuth } from './auth/staff-auth';
import { withStaff } from './auth/with-staff';
import { idOf, parseBody } from './request-input';

export const CONTENT_ROLES = ['content', 'supervisor'] as const;

export interface ContentApiDependencies {
  readonly auth: StaffAuth;
  readonly publisher: ContentPublisher;
  readonly experiments: ExperimentService;
  /** The personas a preview may be rendered for; customers' profiles are never read here. */
  readonly previewProfiles: PreviewProfiles;
  readonly defaultLocale: string;
  readonly logger: Logger;
}

const filesSchema = z
  .array(z.object({ path: z.string().regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})*\/[\w.-]+\.lg$/i, 'path must be <locale>/<name>.lg'), text: z.string().max(200_000) }))
  .min(1, 'files must not be empty')
  .max(200);
const validateBody = z.object({ files: filesSchema });
const publishBody = z.object({
  files: filesSchema,
  note: z.string().trim().max(500).default(''),
  /** The version the edits started from (GET /api/content/templates' versionId); null before any publish. */
  baseVersionId: z.string().max(100).nullable(),
});
const previewBody = z.object({
  template: z.string().min(1).max(200),
  tone: z.enum(TONES).optional(),
  mood: z.enum(Object.keys(MOOD_TONES) as [keyof typeof MOOD_TONES]).optional(),
  channel: z.string().min(1).max(40).default('webchat'),
  locale: z.string().max(20).optional(),
  profileId: z.string().max(200).optional(),
  /** Unpublished edits to preview (the studio's editor); the live content otherwise. */
  files: filesSchema.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
const variantSchema = z.object({
  id: z.string().regex(/^[\w-]{1,40}$/, 'variant id: letters, digits, - and _'),
  weight: z.number().positive().max(1000).default(1),
  text: z.string().min(1).max(4000).optional(),
  tone: z.enum(TONES).optional(),
  offerId: z.string().min(1).max(100).optional(),
});
const experimentBody = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['template', 'offer']).default('template'),
  target: z.string().min(1).max(200),
  controlVariantId: z.string().min(1).max(40),
  variants: z.array(variantSchema).min(2).max(10),
});

export function registerContentApi(server: Server, deps: ContentApiDependencies): void {
  const route = (handler: Parameters<typeof withStaff>[2]) => withStaff(deps.auth, CONTENT_ROLES, handler, deps.logger);
  const { publisher, experiments } = deps;

  server.get('/api/content/openapi.json', async (_req, res) => {
    res.send(200, openApi);
  });

  server.get('/api/content/templates', route(async (_req, res) => {
    const current = publisher.currentContent();
    res.send(200, { versionId: current.versionId ?? null, files: current.files, catalog: catalogTemplates(current.files) });
  }));

  server.post('/api/content/validate', route(async (req, res) => {
    const { files } = parseBody(validateBody, req.body);
    const problems = publisher.validate(files);
    res.send(200, { ok: !hasErrors(problems), problems });
  }));

  server.post('/api/content/preview', route(async (req, res) => {
    const body = parseBody(previewBody, req.body);
    let content: ContentLibrary;
    try {
      content = body.files ? ContentLibrary.fromFiles(body.files, deps.defaultLocale) : ContentLibrary.fromFiles(publisher.currentContent().files, deps.defaultLocale);
    } catch (error) {
      if (isAttuneError(error, 'ATTUNE_CONTENT_INVALID')) throw new AttuneError('ATTUNE_REQUEST_INVALID', error.message);
      throw error;
    }
    const profile = body.profileId === undefined ? undefined : deps.previewProfiles.get(body.profileId);
    if (!content.has(body.template, body.locale)) throw new AttuneError('ATTUNE_REQUEST_INVALID', `No content template "${body.template}".`);
    const tone = body.tone ?? (body.mood ? MOOD_TONES[body.mood] : 'neutral');
    const preview = previewReply(content, { template: body.template, tone, channel: body.channel, locale: body.locale, profile, data: body.data });
    res.send(200, preview);
  }));

  server.get('/api/content/preview-profiles', route(async (_req, res) => {
    res.send(200, { profiles: deps.previewProfiles.list() });
  }));

  server.get('/api/content/versions', route(async (_req, res) => {
    res.send(200, { current: publisher.currentContent().versionId ?? null, versions: await publisher.list(100) });
  }));

  server.get('/api/content/versions/:id', route(async (req, res) => {
    res.send(200, await publisher.get(idOf(req)));
  }));

  server.post('/api/content/versions', route(async (req, res, agent) => {
    const { files, note, baseVersionId } = parseBody(publishBody, req.body);
    sendPublished(res, await publisher.publish(files, agent.name, note, { kind: 'edit', versionId: baseVersionId }));
  }));

  server.post('/api/content/versions/:id/restore', route(async (req, res, agent) => {
    sendPublished(res, await publisher.restore(idOf(req), agent.name));
  }));

  server.get('/api/content/experiments', route(async (_req, res) => {
    res.send(200, { experiments: await experiments.list() });
  }));

  server.post('/api/content/experiments', route(async (req, res, agent) => {
    res.send(201, await experiments.create(parseBody(experimentBody, req.body), agent.name));
  }));

  server.get('/api/content/experiments/:id', route(async (req, res) => {
    res.send(200, await experiments.get(idOf(req)));
  }));

  server.post('/api/content/experiments/:id/start', route(async (req, res) => {
    res.send(200, await experiments.start(idOf(req)));
  }));

  server.post('/api/content/experiments/:id/stop', route(async (req, res) => {
    res.send(200, await experiments.stop(idOf(req)));
  }));

  server.get('/api/content/experiments/:id/results', route(async (req, res) => {
    res.send(200, await experiments.results(idOf(req)));
  }));
}

/** 201 with the version (without its files), or 422 with the lint problems that refused it. */
function sendPublished(res: Response, result: PublishResult): void {
  if (!result.ok) {
    const errors: readonly ContentProblem[] = result.problems.filter((p) => p.severity === 'error');
    res.send(422, { code: 'ATTUNE_CONTENT_INVALID', message: `The content has ${errors.length} error(s); nothing was published.`, problems: result.problems });
    return;
  }
  const { files: _files, ...version } = result.version;
  res.send(201, version);
}
