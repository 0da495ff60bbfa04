// The cookies of the mounts' web UI, read and written without a request decorator: the session
// resolver runs on the API core's routes, outside this module's plugins, and must not depend on
// which cookie plugin (if any) the application registers. jshttp's `cookie` parses and writes
// them (the library @fastify/cookie wraps, which loads it only when registered); @fastify/cookie's
// HMAC signer signs them.
import { Signer } from '@fastify/cookie';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MOUNTS_BASE_PATH } from '../config.js';

/**
 * `__Secure-`: browsers accept it only from HTTPS with Secure, so a plain-HTTP response on the
 * same host (or a network attacker injecting one) cannot plant or overwrite it. `__Host-` would
 * be stronger but requires `Path=/`, and these cookies must stay out of Drive's paths.
 */
export const SESSION_COOKIE = '__Secure-mounts-session';
export const SHARE_LINK_COOKIE = '__Secure-mounts-share';
const LOGIN_COOKIE_PREFIX = '__Secure-mounts-login-';

export const SESSION_COOKIE_PATH = MOUNTS_BASE_PATH;
export const LOGIN_COOKIE_PATH = `${MOUNTS_BASE_PATH}auth/`;

export interface CookieSettings {
  path: string;
  maxAgeSeconds: number;
  sameSite: 'lax' | 'strict';
}

/** One cookie per login in flight (keyed by its state), so two tabs logging in do not collide. */
export function loginCookieName(key: string): string {
  return `${LOGIN_COOKIE_PREFIX}${key}`;
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  // The parser keeps the first of duplicate names; that is the one with the longest path,
  // which for ours is the one we set (browsers order by path length).
  return parseCookie(header)[name];
}

export function setCookie(
  reply: FastifyReply,
  name: string,
  value: string,
  settings: CookieSettings,
): void {
  reply.header(
    'set-cookie',
    stringifySetCookie({
      name,
      value,
      path: settings.path,
      maxAge: settings.maxAgeSeconds,
      httpOnly: true,
      secure: true,
      sameSite: settings.sameSite,
    }),
  );
}

export function clearCookie(
  reply: FastifyReply,
  name: string,
  settings: Omit<CookieSettings, 'maxAgeSeconds'>,
): void {
  setCookie(reply, name, '', { ...settings, maxAgeSeconds: 0 });
}

/** HMAC-SHA256 signatures on cookie values (tamper-evident, not secret). */
export class CookieSigner {
  readonly #signer: Signer;

  constructor(key: Buffer) {
    this.#signer = new Signer(key);
  }

  sign(value: string): string {
    return this.#signer.sign(value);
  }

  /** The value if its signature is ours, otherwise undefined. */
  unsign(signed: string): string | undefined {
    const result = this.#signer.unsign(signed);
    return result.valid ? result.value : undefined;
  }
}
