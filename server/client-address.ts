/**
 * The address of the client a request comes from, for rate limits keyed by client. Behind a
 * proxy every request's TCP peer is the proxy, so limits would count everybody as one client; a
 * proxy appends the peer it saw to X-Forwarded-For, so with N trusted proxies the client is the
 * N-th entry from the right. Entries further left were written by the client and prove nothing.
 * Some proxies (Azure App Service, Application Gateway) write the client's port too; it is dropped,
 * or every new connection would count as another client.
 */
import type { Request } from 'restify';

export type ClientAddressOf = (req: Request) => string | undefined;

export function clientAddressOf(trustedProxyHops: number): ClientAddressOf {
  if (!Number.isInteger(trustedProxyHops) || trustedProxyHops < 0) throw new RangeError('[clientAddressOf]: trustedProxyHops must be an integer ≥ 0');
  if (trustedProxyHops === 0) return (req) => req.socket.remoteAddress;
  return (req) => {
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((hop) => hop.trim()).filter((hop) => hop !== '');
    const hop = hops[hops.length - trustedProxyHops];
    return hop === undefined ? req.socket.remoteAddress : withoutPort(hop);
  };
}

/** `203.0.113.7:51234` → `203.0.113.7`, `[2001:db8::7]:51234` → `2001:db8::7`; anything else as is. */
function withoutPort(entry: string): string {
  const match = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(entry) ?? /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(entry);
  return match === null ? entry : match[1];
}
