/**
 * The two connector calls of every turn, replyToActivity and sendToConversation, sent as plain
 * JSON through the client's own HTTP pipeline: the same credentials and token, retries, headers
 * and URL as the generated operations use, without their serializer, which walks the Activity
 * model property by property and cost about 6% of the main thread's time per turn (more than the
 * rest of the reply's HTTP work).
 *
 * The body differs in one way only: properties the model does not name are sent rather than
 * dropped (channels ignore what they do not know), and bot-written activities are plain data, so
 * JSON.stringify writes dates as the serializer does (ISO 8601). A failed call still rejects with
 * a RestError carrying the status code (proactive-messenger.ts reads 404). A 2xx is a sent activity
 * whatever its body: a receipt that is not JSON naming an id gives the id '' instead of failing a
 * turn whose reply has gone out.
 *
 * It also takes the tracing policy out of the client's pipeline: attune registers no Azure SDK
 * instrumentation, so that policy only opened and closed a no-op span around every call (about 1%
 * of the main thread).
 *
 * It reaches into the compat client botbuilder builds (its private pipeline client and base URI);
 * a botbuilder without them keeps its generated operations (checked once per client).
 */
import { createHttpHeaders, createPipelineRequest, RestError, tracingPolicyName, type Pipeline, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { Activity, ResourceResponse } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';

/** The compat ServiceClientContext's internals used here. */
interface CompatClientInternals {
  readonly baseUri: string;
  readonly client: { readonly pipeline: Pipeline; sendRequest(request: PipelineRequest): Promise<PipelineResponse> };
}

export function sendActivitiesAsJson(connector: ConnectorClient): ConnectorClient {
  const internals = connector as unknown as Partial<CompatClientInternals>;
  if (typeof internals.baseUri !== 'string' || typeof internals.client?.sendRequest !== 'function' || typeof internals.client.pipeline?.removePolicy !== 'function') return connector;
  const { baseUri, client } = internals as CompatClientInternals;
  client.pipeline.removePolicy({ name: tracingPolicyName });
  const base = baseUri.endsWith('/') ? baseUri : `${baseUri}/`;
  const allowInsecureConnection = baseUri.toLowerCase().startsWith('http:');

  const post = async (conversationId: string, path: string, activity: Partial<Activity>): Promise<ResourceResponse> => {
    const request = createPipelineRequest({
      url: new URL(path, base).href,
      method: 'POST',
      headers: createHttpHeaders({ 'content-type': 'application/json; charset=utf-8', 'x-ms-conversation-id': conversationId }),
      body: JSON.stringify(activity),
      // As the generated client allows it: for a channel (or an Emulator) on plain http.
      allowInsecureConnection,
    });
    const response = await client.sendRequest(request);
    if (response.status < 200 || response.status >= 300) {
      throw new RestError(`The channel answered ${response.status} to ${request.method} ${path}: ${response.bodyAsText?.slice(0, 200) ?? ''}`, { statusCode: response.status, request, response });
    }
    return receipt(response);
  };
  const conversation = (conversationId: string) => `v3/conversations/${encodeURIComponent(conversationId)}/activities`;

  const conversations = connector.conversations;
  Object.assign(conversations, {
    replyToActivity: (conversationId: string, activityId: string, activity: Partial<Activity>) =>
      post(conversationId, `${conversation(conversationId)}/${encodeURIComponent(activityId)}`, activity),
    sendToConversation: (conversationId: string, activity: Partial<Activity>) => post(conversationId, conversation(conversationId), activity),
  });
  return connector;
}

/** The channel's receipt for a sent activity: its id when the body is JSON that names one. */
function receipt(response: PipelineResponse): ResourceResponse {
  const contentType = response.headers.get('content-type') ?? '';
  if (!response.bodyAsText || !/^application\/(.+\+)?json\b/i.test(contentType)) return { id: '' };
  try {
    const body: unknown = JSON.parse(response.bodyAsText);
    const id = typeof body === 'object' && body !== null && 'id' in body ? body.id : undefined;
    return { id: typeof id === 'string' ? id : '' };
  } catch {
    return { id: '' };
  }
}
