/** The client address for rate limits, directly or behind trusted proxies. */
import type { Request } from 'restify';
import { clientAddressOf } from '../../server/client-address';

const request = (peer: string, forwardedFor?: string) => ({ socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as Request;

describe('clientAddressOf', () => {
  it('uses the TCP peer when no proxy is trusted, whatever the client claims', () => {
    expect(clientAddressOf(0)(request('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
  });

  it('behind one proxy, takes the entry the proxy appended, not the ones the client wrote', () => {
    const address = clientAddressOf(1);
    expect(address(request('10.0.0.2', '203.0.113.7'))).toBe('203.0.113.7');
    expect(address(request('10.0.0.2', '1.2.3.4, 203.0.113.7'))).toBe('203.0.113.7');
  });

  it('behind two proxies, takes the second entry from the right; falls back to the peer when the header is short', () => {
    expect(clientAddressOf(2)(request('10.0.0.3', 'spoofed, 203.0.113.7, 10.0.0.2'))).toBe('203.0.113.7');
    expect(clientAddressOf(2)(request('10.0.0.3', '10.0.0.2'))).toBe('10.0.0.3');
    expect(clientAddressOf(1)(request('10.0.0.3'))).toBe('10.0.0.3');
  });

  it('drops the port a proxy wrote with the address, so each connection is not another client', () => {
    const address = clientAddressOf(1);
    expect(address(request('10.0.0.2', '203.0.113.7:51234'))).toBe('203.0.113.7');
    expect(address(request('10.0.0.2', '203.0.113.7:51235'))).toBe('203.0.113.7');
    expect(address(request('10.0.0.2', '[2001:db8::7]:51234'))).toBe('2001:db8::7');
    expect(address(request('10.0.0.2', '[2001:db8::7]'))).toBe('2001:db8::7');
    expect(address(request('10.0.0.2', '2001:db8::7'))).toBe('2001:db8::7');
    expect(clientAddressOf(2)(request('10.0.0.3', 'spoofed:1, 203.0.113.7:443, 10.0.0.2:80'))).toBe('203.0.113.7');
  });

  it('refuses a negative or fractional hop count', () => {
    expect(() => clientAddressOf(-1)).toThrow(RangeError);
    expect(() => clientAddressOf(1.5)).toThrow(RangeError);
  });
});
