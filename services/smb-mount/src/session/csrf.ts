// Cross-site request forgery defence for requests authenticated by the session cookie, which the
// browser attaches on its own to requests any site can trigger. SameSite=Lax already keeps it off
// cross-site POSTs in current browsers; this does not rely on that alone (older browsers, and a
// sibling subdomain counts as same-site). Chosen: OWASP's signed synchronizer token. The token is
// an HMAC of the session id under a key derived from SESSION_SECRET, so no state is stored, it
// changes with every login and is worthless for any other session; the UI reads it from
// `GET /mounts/auth/session` and sends it in the `X-CSRF-Token` header on unsafe methods. A custom
// header also forces a CORS preflight for cross-origin callers, which we never answer. Requests
// whose Origin (or Sec-Fetch-Site) says they come from elsewhere are refused even with a token.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../api/errors.js';

export const CSRF_HEADER = 'x-csrf-token';
/** The form field a plain HTML form (logout) may carry the token in instead. */
export const CSRF_FORM_FIELD = 'csrf_token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** The API's 403 for a cookie-authenticated unsafe request that fails the check. */
export function csrfRefusal(): ApiError {
  return new ApiError(
    'Forbidden',
    `a request authenticated by the session cookie needs the X-CSRF-Token header (from GET /mounts/auth/session) and must come from this origin`,
  );
}

export function csrfToken(key: Buffer, sessionId: string): string {
  return createHmac('sha256', key).update(`csrf:${sessionId}`).digest('base64url');
}

function sameToken(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** False when the browser tells us the request comes from another origin. */
export function notCrossOrigin(request: FastifyRequest, publicOrigin: string): boolean {
  const origin = header(request, 'origin');
  if (origin !== undefined && origin !== publicOrigin) return false;
  const site = header(request, 'sec-fetch-site');
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** Whether the request shows it was made by our own page: same origin and the session's token. */
export function passesCsrfCheck(
  request: FastifyRequest,
  key: Buffer,
  sessionId: string,
  publicOrigin: string,
): boolean {
  if (!notCrossOrigin(request, publicOrigin)) return false;
  return sameToken(csrfToken(key, sessionId), header(request, CSRF_HEADER));
}

/**
 * Logout is a plain form POST: the same-origin `Origin` header browsers send on every POST is
 * enough, and the token (header or form field) stands in for it where the Origin is missing.
 */
export function passesLogoutCsrfCheck(
  request: FastifyRequest,
  key: Buffer,
  sessionId: string | undefined,
  publicOrigin: string,
): boolean {
  if (!notCrossOrigin(request, publicOrigin)) return false;
  if (header(request, 'origin') === publicOrigin) return true;
  if (sessionId === undefined) return false;
  const expected = csrfToken(key, sessionId);
  const body = request.body as Record<string, unknown> | undefined;
  return (
    sameToken(expected, header(request, CSRF_HEADER)) ||
    sameToken(expected, body?.[CSRF_FORM_FIELD])
  );
}
