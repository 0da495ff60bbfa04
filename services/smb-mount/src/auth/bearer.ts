// `Authorization: Bearer <token>`, checked at the IdP's userinfo endpoint and remembered for a
// short while under a hash of the token: the token itself is never a key, a log field or a label.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ExpiringCache } from '../expiring-cache.js';
import { principalFromClaims } from './claims.js';
import type { Identity, PrincipalResolver } from './principal.js';
import { invalidToken, type ClaimsFetcher } from './userinfo.js';

export interface BearerOptions {
  fetchClaims: ClaimsFetcher;
  /** How long a valid token's identity is reused. A revoked token works this long at most. */
  ttlMs?: number;
  /** How long a refused token is refused without asking again. */
  refusedTtlMs?: number;
  maxEntries?: number;
  /** Called once per IdP answer: `valid`, `invalid` or `failed`. */
  onLookup?: (outcome: 'valid' | 'invalid' | 'failed') => void;
}

type Cached = { identity: Identity } | { refused: string };

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class BearerResolver implements PrincipalResolver {
  readonly name = 'bearer';
  readonly #options: Required<Omit<BearerOptions, 'onLookup'>> & Pick<BearerOptions, 'onLookup'>;
  readonly #cache: ExpiringCache<Cached>;

  constructor(options: BearerOptions) {
    this.#options = {
      ttlMs: 60_000,
      refusedTtlMs: 10_000,
      maxEntries: 10_000,
      ...options,
    };
    this.#cache = new ExpiringCache({ maxEntries: this.#options.maxEntries });
  }

  async resolve(request: FastifyRequest): Promise<Identity | undefined> {
    const header = request.headers.authorization;
    if (header === undefined) return undefined;
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (match === null) {
      // Another scheme belongs to another resolver; a malformed bearer header is ours to refuse.
      if (/^Bearer\b/i.test(header)) throw invalidToken('the bearer token is malformed');
      return undefined;
    }
    const token = match[1] ?? '';
    const cached = await this.#cache.getOrLoad(tokenDigest(token), () => this.#lookup(token));
    if ('refused' in cached) throw invalidToken(cached.refused);
    return cached.identity;
  }

  async #lookup(token: string): Promise<{ value: Cached; ttlMs: number }> {
    let claims: Record<string, unknown>;
    try {
      claims = await this.#options.fetchClaims(token);
    } catch (error) {
      if (error instanceof Error && error.name === 'AuthenticationError') {
        this.#options.onLookup?.('invalid');
        return { value: { refused: error.message }, ttlMs: this.#options.refusedTtlMs };
      }
      this.#options.onLookup?.('failed');
      throw error;
    }
    const principal = principalFromClaims(claims, this.name);
    if (principal === undefined) {
      this.#options.onLookup?.('invalid');
      return {
        value: { refused: 'the identity provider named no subject' },
        ttlMs: this.#options.refusedTtlMs,
      };
    }
    this.#options.onLookup?.('valid');
    return { value: { identity: { principal } }, ttlMs: this.#options.ttlMs };
  }
}
