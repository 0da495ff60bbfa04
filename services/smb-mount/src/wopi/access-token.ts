// WOPI access tokens: what the editor presents on every call in place of the user's session.
// Stateless: HMAC-SHA256 (WOPI_TOKEN_SECRET) over the file, the user, the right (edit or view) and
// the expiry, so any replica checks them without Redis. The token carries a hash of the file id,
// not the id, to stay short: editors repeat it in every URL. Only URL-safe characters, so the
// token is the same string encoded or not, and the proof bytes the editor signs match ours.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WopiRefusal } from './errors.js';

/** Drive's WOPI_ACCESS_TOKEN_TIMEOUT default: 36 000 s. */
export const DEFAULT_ACCESS_TOKEN_TTL_MS = 36_000_000;

export type TokenRight = 'edit' | 'view';

export interface TokenSubject {
  fileId: string;
  sub: string;
  email?: string;
  right: TokenRight;
}

export interface TokenClaims extends TokenSubject {
  /** Milliseconds since the epoch: WOPI's access_token_ttl. */
  expiresAt: number;
}

// A domain label in the MAC input: the same secret can never vouch for another kind of token.
const LABEL = 'lasuite-smb-mount/wopi-access-token/v1\n';
const MAC_BYTES = 32;
// Far above any real token (a sub and an email of a few hundred bytes each).
const MAX_TOKEN_LENGTH = 4096;
const PART = /^[A-Za-z0-9_-]+$/;

const payloadSchema = z
  .object({
    f: z.string().length(43),
    s: z.string().min(1),
    m: z.string().min(1).optional(),
    r: z.enum(['e', 'v']),
    x: z.number().int().positive(),
  })
  .strict();

function fileHash(fileId: string): string {
  return createHash('sha256').update(fileId, 'utf8').digest('base64url');
}

function invalid(why: string): WopiRefusal {
  // 401 is WOPI's "token is invalid"; editors show their own sign-in-again message on it.
  return new WopiRefusal(401, `access token refused: ${why}`);
}

export class AccessTokens {
  readonly #secret: Buffer;
  readonly ttlMs: number;

  constructor(secret: string, ttlMs = DEFAULT_ACCESS_TOKEN_TTL_MS) {
    if (secret.length < 32) throw new RangeError('the WOPI token secret needs 32 characters');
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1000) throw new RangeError('ttlMs must be ≥ 1000');
    this.#secret = Buffer.from(secret, 'utf8');
    this.ttlMs = ttlMs;
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#secret).update(LABEL).update(payload).digest();
  }

  issue(subject: TokenSubject, now = Date.now()): { token: string; expiresAt: number } {
    const expiresAt = now + this.ttlMs;
    const payload = Buffer.from(
      JSON.stringify({
        f: fileHash(subject.fileId),
        s: subject.sub,
        ...(subject.email === undefined || subject.email === '' ? {} : { m: subject.email }),
        r: subject.right === 'edit' ? 'e' : 'v',
        x: expiresAt,
      }),
      'utf8',
    ).toString('base64url');
    return { token: `${payload}.${this.#mac(payload).toString('base64url')}`, expiresAt };
  }

  /** The claims of a token for this file; a WopiRefusal (401) otherwise. */
  verify(token: string, fileId: string, now = Date.now()): TokenClaims {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw invalid('malformed');
    const [payload, mac, extra] = token.split('.');
    if (payload === undefined || mac === undefined || extra !== undefined)
      throw invalid('malformed');
    if (!PART.test(payload) || !PART.test(mac)) throw invalid('malformed');
    const given = Buffer.from(mac, 'base64url');
    const expected = this.#mac(payload);
    // The length is public (every MAC has 32 bytes); the comparison of the bytes is constant-time.
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, expected))
      throw invalid('bad signature');
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid('malformed');
    }
    const claims = payloadSchema.safeParse(decoded);
    if (!claims.success) throw invalid('malformed');
    if (claims.data.x <= now) throw invalid('expired');
    const forFile = Buffer.from(claims.data.f, 'base64url');
    if (!timingSafeEqual(forFile, Buffer.from(fileHash(fileId), 'base64url')))
      throw invalid('issued for another file');
    return {
      fileId,
      sub: claims.data.s,
      ...(claims.data.m === undefined ? {} : { email: claims.data.m }),
      right: claims.data.r === 'e' ? 'edit' : 'view',
      expiresAt: claims.data.x,
    };
  }
}
