/**
 * The address of the client a request comes from, for rate limits keyed by client. Behind a
 * proxy every request's TCP peer is the proxy, so limits would count everybody as one client; a
 * proxy appends the peer it saw to X-Forwarded-For, so with N trusted proxies the client is the
 * N-th entry from the right. Entries further left were written by the client and prove nothing.
 */
import type { Request } from 'restify';

export type ClientAddressOf = (req: Request) => string | undefined;

export function clientAddressOf(trustedProxyHops: number): ClientAddressOf {
  if (!Number.isInteger(trustedProxyHops) || trustedProxyHops < 0) throw new RangeError('[clientAddressOf]: trustedProxyHops must be an integer ≥ 0');
  if (trustedProxyHops === 0) return (req) => req.socket.remoteAddress;
  return (req) => {
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((hop) => hop.trim()).filter((hop) => hop !== '');
    return hops[hops.length - trustedProxyHops] ?? req.socket.remoteAddress;
  };
}
