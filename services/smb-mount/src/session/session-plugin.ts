// The web UI's login, logout and session: routes under /mounts/auth/, as a fastify plugin. A
// login is the authorization code flow with PKCE; its result is a server-side session
// (session-store.ts) named by a signed cookie, which SessionResolver (session-resolver.ts) turns
// into the API's identity. Neither the session id nor any token is ever logged.
// The route schemas carry OpenAPI fields (summary, tags): @fastify/swagger declares them.
import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import * as client from 'openid-client';
import { MOUNTS_BASE_PATH, type MountsConfig } from '../config.js';
import {
  clearCookie,
  LOGIN_COOKIE_PATH,
  loginCookieName,
  readCookie,
  SESSION_COOKIE,
  SESSION_COOKIE_PATH,
  setCookie,
} from './cookies.js';
import { csrfToken, passesLogoutCsrfCheck } from './csrf.js';
import { decodeTransaction, encodeTransaction, transactionKey } from './login-transaction.js';
import {
  endSessionUrl,
  finishLogin,
  oidcConfiguration,
  startLogin,
  type LoginResult,
  type OidcSettings,
} from './oidc.js';
import { safeReturnTo } from './return-to.js';
import {
  cookieSessionId,
  positive,
  SESSION_DEFAULTS,
  sessionContext,
  type SessionResolverOptions,
} from './session-context.js';
import { sessionUser } from './session-resolver.js';

export const AUTH_PATH = `${MOUNTS_BASE_PATH}auth/`;
export const LOGIN_PATH = `${AUTH_PATH}login`;
export const CALLBACK_PATH = `${AUTH_PATH}callback`;
export const LOGOUT_PATH = `${AUTH_PATH}logout`;
export const SESSION_PATH = `${AUTH_PATH}session`;

export interface SessionPluginOptions extends SessionResolverOptions {
  oidc: OidcSettings;
  /** How long a login may take at the IdP. Default 10 min. */
  loginTimeoutSeconds?: number;
}

/** The options from the service's configuration (config.ts). */
export function sessionOptionsFromConfig(config: MountsConfig, redis: Redis): SessionPluginOptions {
  return {
    publicUrl: config.PUBLIC_URL,
    redis,
    sessionSecret: config.SESSION_SECRET,
    oidc: {
      issuer: config.OIDC_ISSUER,
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
      authorizationEndpoint: config.OIDC_AUTHORIZATION_ENDPOINT,
      tokenEndpoint: config.OIDC_TOKEN_ENDPOINT,
      userinfoEndpoint: config.OIDC_USERINFO_ENDPOINT,
      jwksEndpoint: config.OIDC_JWKS_ENDPOINT,
      ...(config.OIDC_END_SESSION_ENDPOINT === undefined
        ? {}
        : { endSessionEndpoint: config.OIDC_END_SESSION_ENDPOINT }),
      scopes: config.OIDC_SCOPES,
    },
  };
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store');
}

/** A browser-facing refusal: plain text, so nothing from the request can become markup. */
function refuse(reply: FastifyReply, status: number, message: string): FastifyReply {
  return noStore(reply).code(status).type('text/plain; charset=utf-8').send(`${message}\n`);
}

/** Whether the failure is the IdP being unreachable or slow, rather than a refused login. */
function unreachable(error: unknown): boolean {
  if (error instanceof client.ClientError)
    return (
      error.code === undefined || error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT'
    );
  return !(
    error instanceof client.ResponseBodyError ||
    error instanceof client.AuthorizationResponseError ||
    error instanceof client.WWWAuthenticateChallengeError
  );
}

/** Names the failure for the log, without its cause (which may hold the response body). */
function described(error: unknown): { name: string; code?: string; message: string } {
  if (!(error instanceof Error)) return { name: typeof error, message: 'not an Error' };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: error.message,
  };
}

/** OpenAPI: browser routes, no bearer token, refusals as plain text. */
const BROWSER = { tags: ['sessions'], security: [] };
const TEXT = { description: 'A refusal, as plain text for the person.', type: 'string' } as const;

const FORM = 'application/x-www-form-urlencoded';
const FORM_BODY_LIMIT = 4096;

/** Registers the routes under /mounts/auth/; use with `app.register(sessionPlugin, options)`. */
export function sessionPlugin(app: FastifyInstance, options: SessionPluginOptions): Promise<void> {
  const context = sessionContext(options);
  const { publicOrigin, signer, store, keys } = context;
  const oidc = oidcConfiguration(options.oidc);
  const redirectUri = `${publicOrigin}${CALLBACK_PATH}`;
  const postLogoutRedirectUri = `${publicOrigin}${MOUNTS_BASE_PATH}`;
  const loginTimeoutSeconds = positive(
    options.loginTimeoutSeconds,
    SESSION_DEFAULTS.loginTimeoutSeconds,
    'loginTimeoutSeconds',
  );
  const loginCookie = { path: LOGIN_COOKIE_PATH, sameSite: 'lax' as const };
  // Lax, not Strict: a link to a mount from Drive, a mail or a chat is a cross-site navigation,
  // and Strict would make it arrive logged out. Lax still keeps it off cross-site POSTs.
  const sessionCookie = {
    path: SESSION_COOKIE_PATH,
    sameSite: 'lax' as const,
    maxAgeSeconds: store.lifetimes.absoluteTimeoutSeconds,
  };

  // A plain HTML form posts the logout. Encapsulated: it does not change the API's parsers.
  if (!app.hasContentTypeParser(FORM))
    app.addContentTypeParser(
      FORM,
      { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
      (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      },
    );

  app.get<{ Querystring: { returnTo?: unknown } }>(
    LOGIN_PATH,
    {
      schema: {
        ...BROWSER,
        summary: 'Starts a login at the IdP (authorization code + PKCE)',
        querystring: {
          type: 'object',
          properties: {
            returnTo: {
              type: 'string',
              description:
                'The mounts page to come back to, a path under /mounts/. Default /mounts/.',
            },
          },
        },
        response: { 302: { description: 'To the IdP.', type: 'null' }, 400: TEXT },
      },
    },
    async (request, reply) => {
      const requested = request.query.returnTo ?? MOUNTS_BASE_PATH;
      const returnTo = safeReturnTo(requested, publicOrigin);
      if (returnTo === undefined)
        return refuse(reply, 400, 'returnTo must be a page of the mounts (a path under /mounts/).');
      const start = await startLogin(oidc, redirectUri, options.oidc.scopes);
      const cookie = encodeTransaction(signer, {
        state: start.state,
        nonce: start.nonce,
        codeVerifier: start.codeVerifier,
        returnTo,
        expiresAt: Date.now() + loginTimeoutSeconds * 1000,
      });
      setCookie(reply, loginCookieName(transactionKey(start.state)), cookie, {
        ...loginCookie,
        maxAgeSeconds: loginTimeoutSeconds,
      });
      return noStore(reply).redirect(start.url.href, 302);
    },
  );

  app.get<{ Querystring: Record<string, unknown> }>(
    CALLBACK_PATH,
    {
      schema: {
        ...BROWSER,
        summary: "The IdP's redirect back: code exchange, ID token checks, a new session",
        response: {
          303: { description: 'To the page the login started from.', type: 'null' },
          400: TEXT,
          502: TEXT,
        },
      },
    },
    async (request, reply) => {
      // A repeated parameter arrives as an array: not a callback we sent the browser to.
      const state = typeof request.query.state === 'string' ? request.query.state : undefined;
      const { error } = request.query;
      const cookieName = state === undefined ? undefined : loginCookieName(transactionKey(state));
      // The transaction is single-use whatever happens next.
      if (cookieName !== undefined) clearCookie(reply, cookieName, loginCookie);
      if (error !== undefined) {
        request.log.info(
          { idpError: typeof error === 'string' ? error.slice(0, 64) : 'malformed' },
          'login refused by the IdP',
        );
        return refuse(
          reply,
          400,
          'The identity provider did not log you in. Start again from /mounts/.',
        );
      }
      const raw = cookieName === undefined ? undefined : readCookie(request, cookieName);
      const transaction =
        raw === undefined ? undefined : decodeTransaction(signer, raw, Date.now());
      if (transaction === undefined || transaction.state !== state) {
        request.log.info('login callback without a valid login in progress');
        return refuse(
          reply,
          400,
          'This login has expired or was started elsewhere. Start again from /mounts/.',
        );
      }
      let result: LoginResult;
      try {
        result = await finishLogin(oidc, new URL(request.url, publicOrigin), transaction);
      } catch (failure) {
        const down = unreachable(failure);
        request.log.warn({ failure: described(failure) }, 'login callback failed');
        return refuse(
          reply,
          down ? 502 : 400,
          down
            ? 'The identity provider could not be reached. Try again shortly.'
            : 'The login could not be verified. Start again from /mounts/.',
        );
      }
      const user = sessionUser(result.claims);
      if (user === undefined) return refuse(reply, 400, 'The identity provider named no user.');
      // A new id at every login; the session this browser had before, if any, ends.
      const previous = cookieSessionId(context, request);
      if (previous !== undefined) await store.delete(previous);
      const { id } = await store.create({
        user,
        idToken: result.idToken,
        ...(result.refreshToken === undefined ? {} : { refreshToken: result.refreshToken }),
      });
      setCookie(reply, SESSION_COOKIE, signer.sign(id), sessionCookie);
      request.log.info('login completed');
      return noStore(reply).redirect(transaction.returnTo, 303);
    },
  );

  app.post(
    LOGOUT_PATH,
    {
      bodyLimit: FORM_BODY_LIMIT,
      schema: {
        ...BROWSER,
        summary: 'Ends the session, then the IdP session',
        description:
          'A same-origin form post (Origin), or the CSRF token as X-CSRF-Token or form field csrf_token.',
        response: {
          303: { description: "To the IdP's end-session endpoint.", type: 'null' },
          403: TEXT,
        },
      },
    },
    async (request, reply) => {
      const id = cookieSessionId(context, request);
      if (!passesLogoutCsrfCheck(request, keys.csrf, id, publicOrigin))
        return refuse(reply, 403, 'Log out from the mounts page itself.');
      const session = id === undefined ? undefined : await store.get(id);
      if (id !== undefined) await store.delete(id);
      clearCookie(reply, SESSION_COOKIE, sessionCookie);
      const target =
        options.oidc.endSessionEndpoint === undefined
          ? postLogoutRedirectUri
          : endSessionUrl(oidc, {
              postLogoutRedirectUri,
              ...(session?.idToken === undefined ? {} : { idTokenHint: session.idToken }),
            }).href;
      return noStore(reply).redirect(target, 303);
    },
  );

  // The UI asks who is logged in, and gets the CSRF token for its unsafe requests.
  app.get(
    SESSION_PATH,
    {
      schema: {
        ...BROWSER,
        summary: "Who is logged in, and the session's CSRF token",
        response: {
          200: {
            type: 'object',
            required: ['authenticated'],
            properties: {
              authenticated: { type: 'boolean' },
              loginUrl: { type: 'string' },
              user: {
                type: 'object',
                required: ['sub', 'groups'],
                properties: {
                  sub: { type: 'string' },
                  email: { type: 'string' },
                  name: { type: 'string' },
                  groups: { type: 'array', items: { type: 'string' } },
                },
              },
              csrfToken: {
                type: 'string',
                description: 'Send it as X-CSRF-Token on every unsafe request using the session.',
              },
              expiresAt: { type: 'string', format: 'date-time' },
              logoutUrl: { type: 'string' },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const id = cookieSessionId(context, request);
      const session = id === undefined ? undefined : await store.get(id);
      noStore(reply);
      if (id === undefined || session === undefined)
        return { authenticated: false, loginUrl: LOGIN_PATH };
      const { user } = session;
      return {
        authenticated: true,
        user: {
          sub: user.sub,
          ...(user.email === undefined ? {} : { email: user.email }),
          ...(user.name === undefined ? {} : { name: user.name }),
          groups: user.groups,
        },
        csrfToken: csrfToken(keys.csrf, id),
        expiresAt: new Date(session.expiresAt).toISOString(),
        logoutUrl: LOGOUT_PATH,
      };
    },
  );
  return Promise.resolve();
}
