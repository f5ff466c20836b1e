/**
 * Stream tokens that have opened a WebSocket, so that each streamUrl opens one connection, as on
 * Azure's Direct Line: a URL that leaks (a proxy log, a shared screen) cannot be used to listen in,
 * and a client cannot open stream after stream with one token. A token is remembered only until it
 * expires, after which it is refused as expired anyway: memory stays bounded by the connections
 * opened in one token lifetime (a minute).
 */
export class RedeemedStreamTokens {
  /** Token id → when the token expires (ms); in the order they were redeemed. */
  private readonly expiresAtById = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Records a token as used.
   * @returns false when it had been used already
   */
  redeem(tokenId: string, expiresAt: number): boolean {
    this.forgetExpired();
    if (this.expiresAtById.has(tokenId)) return false;
    this.expiresAtById.set(tokenId, expiresAt);
    return true;
  }

  /** How many tokens are remembered (for tests of the memory bound). */
  get size(): number {
    this.forgetExpired();
    return this.expiresAtById.size;
  }

  private forgetExpired(): void {
    // Every stream token lives as long, so redemption order is nearly expiry order: stop at the first
    // that is still valid (one a little out of order is dropped a little later, never too early).
    const now = this.now();
    for (const [tokenId, expiresAt] of this.expiresAtById) {
      if (expiresAt > now) break;
      this.expiresAtById.delete(tokenId);
    }
  }
}
