import { clientAddressKey, LoginRateLimiter } from '../../server/auth/login-rate-limiter';

const MINUTE = 60_000;

describe('LoginRateLimiter', () => {
  let now: number;
  let limiter: LoginRateLimiter;
  beforeEach(() => {
    now = 1_000_000;
    limiter = new LoginRateLimiter({ attempts: 3, windowMs: 5 * MINUTE }, () => now);
  });

  const attempt = (...keys: string[]) => limiter.tryAttempt(keys);

  it('allows `attempts` unsuccessful attempts per key, then refuses until the oldest leaves the window', () => {
    for (let i = 0; i < 3; i += 1) {
      expect(attempt('name:alice').allowed).toBe(true);
      now += MINUTE;
    }
    // Attempts at 0, 1 and 2 minutes; now is 3 minutes: the first leaves the window at 5.
    expect(attempt('name:alice')).toEqual({ allowed: false, retryAfterMs: 2 * MINUTE });
    now += 2 * MINUTE - 1;
    expect(attempt('name:alice').allowed).toBe(false);
    now += 1;
    expect(attempt('name:alice').allowed).toBe(true);
    expect(attempt('name:alice').allowed).toBe(false);
  });

  it('does not count refused attempts', () => {
    for (let i = 0; i < 3; i += 1) attempt('k');
    for (let i = 0; i < 100; i += 1) expect(attempt('k').allowed).toBe(false);
    now += 5 * MINUTE;
    expect(attempt('k').allowed).toBe(true);
  });

  it('does not count forgiven (successful) attempts', () => {
    for (let i = 0; i < 20; i += 1) {
      const decision = attempt('address:10.0.0.1', 'name:alice');
      expect(decision.allowed).toBe(true);
      if (decision.allowed) decision.forgive();
    }
    for (let i = 0; i < 3; i += 1) expect(attempt('address:10.0.0.1', 'name:alice').allowed).toBe(true);
    expect(attempt('address:10.0.0.1', 'name:alice').allowed).toBe(false);
  });

  it('counts attempts in flight, so parallel guesses gain nothing', () => {
    const decisions = Array.from({ length: 10 }, () => attempt('name:alice'));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(3);
  });

  it('refuses when any of the keys is used up, and counts an allowed attempt against every key', () => {
    for (let i = 0; i < 3; i += 1) attempt('address:10.0.0.1', `name:guess-${i}`);
    expect(attempt('address:10.0.0.1', 'name:bob').allowed).toBe(false);
    expect(attempt('address:10.0.0.2', 'name:bob').allowed).toBe(true);

    for (let i = 0; i < 3; i += 1) attempt(`address:10.1.0.${i}`, 'name:carol');
    expect(attempt('address:10.9.9.9', 'name:carol').allowed).toBe(false);
    expect(attempt('address:10.9.9.9', 'name:dave').allowed).toBe(true);
  });

  it('rejects a limit that is not positive', () => {
    expect(() => new LoginRateLimiter({ attempts: 0, windowMs: MINUTE })).toThrow(RangeError);
    expect(() => new LoginRateLimiter({ attempts: 3, windowMs: 0 })).toThrow(RangeError);
  });
});

describe('clientAddressKey', () => {
  it('keeps IPv4 addresses, also IPv4-mapped ones', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('groups IPv6 addresses by their /64 network, however they are written', () => {
    const key = clientAddressKey('2001:db8:1:2:aaaa::1');
    expect(key).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe(key);
    expect(clientAddressKey('2001:db8:1:3::1')).not.toBe(key);
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('names a missing address', () => {
    expect(clientAddressKey(undefined)).toBe('unknown');
    expect(clientAddressKey('')).toBe('unknown');
  });
});
