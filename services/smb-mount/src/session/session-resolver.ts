// The session cookie as the API core's PrincipalResolver, and the user a login's claims make.
import type { FastifyRequest } from 'fastify';
import { principalFromClaims } from '../auth/claims.js';
import type { Identity, PrincipalResolver } from '../auth/principal.js';
import { csrfRefusal, isSafeMethod, passesCsrfCheck } from './csrf.js';
import {
  cookieSessionId,
  sessionContext,
  type SessionContext,
  type SessionResolverOptions,
} from './session-context.js';
import type { Session, SessionUser } from './session-store.js';

export const SESSION_VIA = 'session';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * The session's user from the login's claims, read as the bearer resolver reads a token's (an
 * unverified email is dropped, Keycloak group paths also count without their slash), so a user
 * holds the same role through the API and the web UI.
 */
export function sessionUser(claims: Record<string, unknown>): SessionUser | undefined {
  const principal = principalFromClaims(claims, SESSION_VIA);
  if (principal === undefined) return undefined;
  const full = [text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ');
  const name = text(claims.name) ?? text(full);
  return {
    sub: principal.sub,
    ...(principal.email === undefined ? {} : { email: principal.email }),
    ...(name === undefined ? {} : { name }),
    groups: [...principal.groups],
  };
}

function identityOf(session: Session): Identity {
  const { sub, email, groups } = session.user;
  return {
    principal: { sub, ...(email === undefined ? {} : { email }), groups, via: SESSION_VIA },
  };
}

/**
 * The session cookie → the user; undefined for no cookie, a forged or unknown id, an expired
 * session (the API then answers 401 and the UI logs in again). An unsafe method (POST, PUT,
 * PATCH, DELETE…) with a valid session but without the CSRF token, or from another origin, is
 * refused here (403), so no route can forget the check: the identity is never handed out
 * without it.
 */
export class SessionResolver implements PrincipalResolver {
  readonly name = SESSION_VIA;
  readonly #context: SessionContext;

  constructor(options: SessionResolverOptions) {
    this.#context = sessionContext(options);
  }

  async resolve(request: FastifyRequest): Promise<Identity | undefined> {
    const context = this.#context;
    const id = cookieSessionId(context, request);
    if (id === undefined) return undefined;
    const session = await context.store.get(id);
    if (session === undefined) return undefined;
    if (
      !isSafeMethod(request.method) &&
      !passesCsrfCheck(request, context.keys.csrf, id, context.publicOrigin)
    )
      throw csrfRefusal();
    return identityOf(session);
  }
}
