/**
 * Publishing content without a deploy (DESIGN.md §6): lint, store a version with its author,
 * note and diff, and tell every instance on the event bus; each instance (this one included)
 * loads the version into its live ContentLibrary. At start an instance loads the latest
 * published version, or the deployed files when nothing was published yet.
 */
import { randomUUID } from 'node:crypto';
import { AttuneError, isAttuneError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { EventBus, Unsubscribe } from '../events/event-bus';
import type { ContentVersion, ContentVersions, ContentVersionSummary } from '../storage/ports';
import { diffContent } from './content-diff';
import { readContentFiles, sortFiles, type ContentFile } from './content-files';
import { ContentLibrary } from './content-library';
import { hasErrors, lintContent, type ContentProblem } from './content-lint';

export interface ContentPublisherDependencies {
  readonly versions: ContentVersions;
  readonly events: EventBus;
  /** The library the bot renders from; publishing swaps its content. */
  readonly live: ContentLibrary;
  /** The deployed content folder: the content before the first publish. */
  readonly contentDir: string;
  readonly defaultLocale: string;
  readonly logger: Logger;
}

/**
 * What a publish builds on: an edit of the version the editor loaded (null: the deployed folder,
 * nothing published yet), or a restore of an earlier version, which goes on top of whatever is latest.
 */
export type PublishBase = { readonly kind: 'edit'; readonly versionId: string | null } | { readonly kind: 'restore'; readonly versionId: string };

export type PublishResult = { readonly ok: true; readonly version: ContentVersion } | { readonly ok: false; readonly problems: readonly ContentProblem[] };

/** What the bot renders from right now: a published version, or the deployed folder. */
export interface CurrentContent {
  readonly versionId?: string;
  readonly files: readonly ContentFile[];
}

export class ContentPublisher {
  private current: CurrentContent = { files: [] };
  private unsubscribe: Unsubscribe | undefined;

  constructor(private readonly deps: ContentPublisherDependencies) {}

  /** Loads the latest version (if any) into the live library and follows publishes from every instance. */
  async start(): Promise<void> {
    this.unsubscribe = await this.deps.events.subscribe('content', (event) => {
      if (event.type !== 'content_published' || event.versionId === this.current.versionId) return;
      this.adopt(event.versionId).catch((error: unknown) => this.deps.logger.error({ err: error, versionId: event.versionId }, 'content version could not be loaded'));
    });
    const latest = await this.deps.versions.latest();
    if (latest) this.use(latest);
    else this.current = { files: await readContentFiles(this.deps.contentDir) };
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  currentContent(): CurrentContent {
    return this.current;
  }

  /** The same lint as `npm run content -- lint`, plus what only building the library finds. */
  validate(files: readonly ContentFile[]): ContentProblem[] {
    const problems = lintContent(files, { defaultLocale: this.deps.defaultLocale });
    if (hasErrors(problems)) return problems;
    try {
      ContentLibrary.fromFiles(files, this.deps.defaultLocale);
    } catch (error) {
      if (!isAttuneError(error, 'ATTUNE_CONTENT_INVALID')) throw error;
      return [...problems, { severity: 'error', code: 'parse_error', file: '', line: 0, message: error.message }];
    }
    return problems;
  }

  /**
   * Lints and, when clean of errors, stores a new version and switches every instance to it.
   * `basedOn` is the version the edits started from (null: the deployed folder, before any
   * publish). Publishing over a version the editor never saw would silently drop someone else's
   * work, so that is refused.
   * @throws AttuneError ATTUNE_CONTENT_CONFLICT when `basedOn` is not the latest version
   */
  async publish(files: readonly ContentFile[], author: string, note: string, basedOn: PublishBase): Promise<PublishResult> {
    const sorted = sortFiles(files);
    const problems = this.validate(sorted);
    if (hasErrors(problems)) return { ok: false, problems };
    // Two staff publishing at once: the unique seq lets one win; the other finds a newer latest
    // version on its next attempt and is refused (a restore simply goes on top of it).
    for (let attempt = 0; ; attempt++) {
      const latest = await this.deps.versions.latest();
      if (basedOn.kind === 'edit' && (latest?.id ?? null) !== basedOn.versionId) throw conflict(latest);
      const previous = latest?.files ?? (await readContentFiles(this.deps.contentDir));
      const version: ContentVersion = {
        id: randomUUID(),
        seq: (latest?.seq ?? 0) + 1,
        files: sorted,
        author,
        note,
        diff: diffContent(previous, sorted),
        restoredFrom: basedOn.kind === 'restore' ? basedOn.versionId : undefined,
        createdAt: new Date(),
      };
      try {
        await this.deps.versions.create(version);
      } catch (error) {
        if (isAttuneError(error, 'ATTUNE_STORAGE_CONFLICT') && attempt < 3) continue;
        throw error;
      }
      this.use(version);
      await this.deps.events.publish('content', { type: 'content_published', versionId: version.id });
      this.deps.logger.info({ versionId: version.id, seq: version.seq, restoredFrom: version.restoredFrom }, 'content published');
      return { ok: true, version };
    }
  }

  /** Publishes an earlier version's files again, as a new version (history is never rewritten). */
  async restore(versionId: string, author: string): Promise<PublishResult> {
    const earlier = await this.deps.versions.get(versionId);
    if (!earlier) throw new AttuneError('ATTUNE_CONTENT_VERSION_NOT_FOUND', `No content version ${versionId}.`);
    return this.publish(earlier.files, author, `Restored version ${earlier.seq}${earlier.note ? ` (${earlier.note})` : ''}`, { kind: 'restore', versionId: earlier.id });
  }

  list(limit: number): Promise<ContentVersionSummary[]> {
    return this.deps.versions.list(limit);
  }

  async get(versionId: string): Promise<ContentVersion> {
    const version = await this.deps.versions.get(versionId);
    if (!version) throw new AttuneError('ATTUNE_CONTENT_VERSION_NOT_FOUND', `No content version ${versionId}.`);
    return version;
  }

  private async adopt(versionId: string): Promise<void> {
    const version = await this.deps.versions.get(versionId);
    if (!version) throw new AttuneError('ATTUNE_CONTENT_VERSION_NOT_FOUND', `No content version ${versionId}.`);
    // Events can overtake each other: never go back to an older version than the one in use.
    const latest = await this.deps.versions.latest();
    this.use(latest && latest.seq > version.seq ? latest : version);
  }

  private use(version: ContentVersion): void {
    this.deps.live.replaceWith(ContentLibrary.fromFiles(version.files, this.deps.defaultLocale));
    this.current = { versionId: version.id, files: version.files };
  }
}

function conflict(latest: ContentVersion | undefined): AttuneError {
  const what = latest ? `Version ${latest.seq} was published by ${latest.author}` : 'The published versions changed';
  return new AttuneError('ATTUNE_CONTENT_CONFLICT', `${what} after these edits began, so publishing them would undo it. Nothing was published: reload the latest content, apply the edits again and publish.`);
}
