import type { Request } from 'restify';
import { adminCookieIsSecure, adminSessionCookie } from '../../server/auth/admin-session-cookie';

/** The parts of a request the rule reads: the TCP peer, whether it is TLS, and the headers. */
function request(remoteAddress: string | undefined, headers: Record<string, string> = {}, encrypted = false): Pick<Request, 'headers' | 'socket'> {
  return { socket: { remoteAddress, encrypted }, headers } as unknown as Pick<Request, 'headers' | 'socket'>;
}

describe('the admin cookie is Secure unless the request came on plain http straight from this machine', () => {
  it.each([
    ['a direct request from another machine', request('203.0.113.7')],
    ['a direct request from the local network', request('192.168.1.20')],
    ['a direct IPv6 request from another machine', request('2001:db8::7')],
    ['a proxy hop saying http (its own scheme, with TLS further out)', request('10.0.0.2', { 'x-forwarded-proto': 'http', 'x-forwarded-for': '203.0.113.7' })],
    ['a proxy on this machine saying http', request('127.0.0.1', { 'x-forwarded-proto': 'http', 'x-forwarded-for': '203.0.113.7' })],
    ['a proxy on this machine that only adds X-Forwarded-For', request('::1', { 'x-forwarded-for': '203.0.113.7' })],
    ['a proxy on this machine that only adds Forwarded', request('::ffff:127.0.0.1', { forwarded: 'for=203.0.113.7;proto=http' })],
    ['a TLS connection', request('127.0.0.1', {}, true)],
    ['a peer the socket no longer knows', request(undefined)],
    ['an address that only looks like loopback', request('::ffff:128.0.0.1')],
  ])('Secure for %s', (_case, req) => {
    expect(adminCookieIsSecure(req)).toBe(true);
    expect(adminSessionCookie('t'.repeat(43), new Date(Date.now() + 60_000), adminCookieIsSecure(req))).toMatch(/; Secure$/);
  });

  it.each([['127.0.0.1'], ['127.1.2.3'], ['::1'], ['::ffff:127.0.0.1']])('not Secure for plain http straight from the loopback address %s', (address) => {
    expect(adminCookieIsSecure(request(address))).toBe(false);
    expect(adminSessionCookie('t'.repeat(43), new Date(Date.now() + 60_000), adminCookieIsSecure(request(address)))).not.toContain('Secure');
  });
});
