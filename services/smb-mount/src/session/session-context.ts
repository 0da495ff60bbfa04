// What the session plugin and the session resolver share: options, the keys derived from
// SESSION_SECRET, the store, and reading the signed session cookie. Both derive the same keys from
// the same secret, so each can be built on its own (the resolver by the API core).
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { CookieSigner, readCookie, SESSION_COOKIE } from './cookies.js';
import { sessionKeys, type SessionKeys } from './keys.js';
import { SessionStore } from './session-store.js';

export const SESSION_DEFAULTS = {
  /** Two hours without a request ends a session. */
  idleTimeoutSeconds: 2 * 3600,
  /** Twelve hours after the login, a session ends however busy (a working day). */
  absoluteTimeoutSeconds: 12 * 3600,
  /** How long the IdP's login page may take before the callback is refused. */
  loginTimeoutSeconds: 10 * 60,
} as const;

/** What the session resolver needs: reading and checking the cookie, and the store. */
export interface SessionResolverOptions {
  /** PUBLIC_URL, the Drive origin (`https://drive.example.com`): the only origin accepted. */
  publicUrl: string;
  /** Shared by every replica (REDIS_URL). */
  redis: Redis;
  /** SESSION_SECRET (≥ 32 characters): cookie signatures, CSRF tokens, tokens at rest. */
  sessionSecret: string;
  /** A session ends after this long without a request. Default 2 h. */
  idleTimeoutSeconds?: number;
  /** A session ends this long after its login, whatever the activity. Default 12 h. */
  absoluteTimeoutSeconds?: number;
}

export interface SessionContext {
  publicOrigin: string;
  keys: SessionKeys;
  signer: CookieSigner;
  store: SessionStore;
}

export function positive(value: number | undefined, fallback: number, what: string): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen <= 0)
    throw new TypeError(`${what} must be a positive whole number of seconds`);
  return chosen;
}

export function sessionContext(options: SessionResolverOptions): SessionContext {
  const publicOrigin = new URL(options.publicUrl).origin;
  if (!publicOrigin.startsWith('https://'))
    throw new TypeError('publicUrl must be https: the cookies are Secure');
  const keys = sessionKeys(options.sessionSecret);
  const idleTimeoutSeconds = positive(
    options.idleTimeoutSeconds,
    SESSION_DEFAULTS.idleTimeoutSeconds,
    'idleTimeoutSeconds',
  );
  const absoluteTimeoutSeconds = positive(
    options.absoluteTimeoutSeconds,
    SESSION_DEFAULTS.absoluteTimeoutSeconds,
    'absoluteTimeoutSeconds',
  );
  return {
    publicOrigin,
    keys,
    signer: new CookieSigner(keys.cookieSigning),
    store: new SessionStore(options.redis, keys.tokenEncryption, {
      idleTimeoutSeconds,
      absoluteTimeoutSeconds,
    }),
  };
}

/** The session id the request's cookie names, if the cookie carries our signature. */
export function cookieSessionId(
  context: SessionContext,
  request: FastifyRequest,
): string | undefined {
  const raw = readCookie(request, SESSION_COOKIE);
  return raw === undefined ? undefined : context.signer.unsign(raw);
}
