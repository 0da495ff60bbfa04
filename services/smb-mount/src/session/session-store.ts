// Web UI sessions, server-side in Redis (shared by every replica): the browser holds only a random
// 256-bit id. The Redis key is a hash of that id, so a Redis dump or a key listing gives no cookie
// to replay; tokens kept for later (refresh token, ID token for the logout hint) are encrypted
// under a key derived from SESSION_SECRET and bound to the session. A session ends when it is
// idle too long (the key's TTL, pushed back on each use) or at its absolute expiry, whichever
// comes first.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { seal, unseal } from './keys.js';

export interface SessionUser {
  sub: string;
  email?: string;
  name?: string;
  groups: string[];
}

export interface Session {
  user: SessionUser;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** The absolute end, whatever the activity; milliseconds since the epoch. */
  expiresAt: number;
  refreshToken?: string;
  idToken?: string;
}

export interface SessionLifetimes {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
}

const KEY_PREFIX = 'smb-mount:session:';

const stored = z
  .object({
    v: z.literal(1),
    user: z.object({
      sub: z.string().min(1),
      email: z.string().optional(),
      name: z.string().optional(),
      groups: z.array(z.string()),
    }),
    createdAt: z.number().int(),
    expiresAt: z.number().int(),
    refreshToken: z.string().optional(),
    idToken: z.string().optional(),
  })
  .strict();

/** A session id: 256 random bits, as base64url (43 characters). */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

function digest(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** The Redis key of a session (exported for tests that inspect what is stored). */
export function sessionKey(id: string): string {
  return `${KEY_PREFIX}${digest(id)}`;
}

export class SessionStore {
  readonly #redis: Redis;
  readonly #encryptionKey: Buffer;
  readonly #lifetimes: SessionLifetimes;
  readonly #now: () => number;

  constructor(
    redis: Redis,
    encryptionKey: Buffer,
    lifetimes: SessionLifetimes,
    now: () => number = Date.now,
  ) {
    this.#redis = redis;
    this.#encryptionKey = encryptionKey;
    this.#lifetimes = lifetimes;
    this.#now = now;
  }

  get lifetimes(): SessionLifetimes {
    return this.#lifetimes;
  }

  /** A new session under a new id (never an id the browser brought: no fixation). */
  async create(input: {
    user: SessionUser;
    refreshToken?: string;
    idToken?: string;
  }): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const createdAt = this.#now();
    const session: Session = {
      ...input,
      createdAt,
      expiresAt: createdAt + this.#lifetimes.absoluteTimeoutSeconds * 1000,
    };
    // The session's key hash is the sealing context: a token copied to another record won't open.
    const context = digest(id);
    const record = {
      v: 1,
      user: input.user,
      createdAt,
      expiresAt: session.expiresAt,
      ...(input.refreshToken === undefined
        ? {}
        : { refreshToken: seal(this.#encryptionKey, input.refreshToken, `refresh:${context}`) }),
      ...(input.idToken === undefined
        ? {}
        : { idToken: seal(this.#encryptionKey, input.idToken, `id:${context}`) }),
    };
    await this.#redis.set(sessionKey(id), JSON.stringify(record), 'PX', this.#ttl(session));
    return { id, session };
  }

  /** The session, if it exists and has not expired; its idle timeout starts again. */
  async get(id: string): Promise<Session | undefined> {
    if (!SESSION_ID.test(id)) return undefined;
    const key = sessionKey(id);
    const text = await this.#redis.get(key);
    if (text === null) return undefined;
    const session = this.#parse(id, text);
    if (session === undefined) return undefined;
    const ttl = this.#ttl(session);
    if (ttl <= 0) {
      await this.#redis.del(key);
      return undefined;
    }
    await this.#redis.pexpire(key, ttl);
    return session;
  }

  async delete(id: string): Promise<void> {
    if (SESSION_ID.test(id)) await this.#redis.del(sessionKey(id));
  }

  /** Until the idle timeout, but never past the absolute expiry. */
  #ttl(session: Session): number {
    const untilAbsolute = session.expiresAt - this.#now();
    return Math.min(this.#lifetimes.idleTimeoutSeconds * 1000, untilAbsolute);
  }

  #parse(id: string, text: string): Session | undefined {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    const result = stored.safeParse(json);
    if (!result.success) return undefined;
    const { v: _version, refreshToken, idToken, ...rest } = result.data;
    const context = digest(id);
    const session: Session = { ...rest };
    if (refreshToken !== undefined) {
      const opened = unseal(this.#encryptionKey, refreshToken, `refresh:${context}`);
      if (opened !== undefined) session.refreshToken = opened;
    }
    if (idToken !== undefined) {
      const opened = unseal(this.#encryptionKey, idToken, `id:${context}`);
      if (opened !== undefined) session.idToken = opened;
    }
    return session;
  }
}
