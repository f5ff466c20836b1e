/** Template suggestions offline; LLM suggestions (with the templates as fallback) when OpenAI is configured. */
import type { ContentLibrary } from '../../content/content-library';
import type { Logger } from '../../core/logger';
import { OpenAiReplySuggester } from './openai-reply-suggester';
import type { ReplySuggester } from './reply-suggester';
import { TemplateReplySuggester } from './template-reply-suggester';

export interface LlmSettings {
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly model: string;
  readonly timeoutMs: number;
}

export function createReplySuggester(content: ContentLibrary, openai: LlmSettings | undefined, logger: Logger): ReplySuggester {
  const templates = new TemplateReplySuggester(content);
  return openai ? new OpenAiReplySuggester({ ...openai, logger, fallback: templates }) : templates;
}
