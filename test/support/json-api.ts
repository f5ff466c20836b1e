/**
 * A JSON API client for HTTP tests: method, route, an optional bearer token and body in; the
 * status and the parsed body (`{}` when there is none) out.
 */
export type JsonApi = (method: string, route: string, token?: string, body?: unknown) => Promise<{ status: number; json: Record<string, unknown> }>;

/** `baseUrl` is read at each call: the server may start after the client is made. */
export function jsonApi(baseUrl: () => string): JsonApi {
  return async (method, route, token, body) => {
    const response = await fetch(`${baseUrl()}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  };
}
