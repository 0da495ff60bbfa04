// Share-link holders, as identities bound to the link's mount, role and path. The web UI opened
// from a link carries its token in the `X-Share-Link` header on its API calls: explicit, so it
// is tried right after the bearer token and before the session cookie (someone logged in who
// opens a link acts through the link), and never sent by the browser on its own, so it needs no
// CSRF check. Plain navigations (a download link, an image preview) cannot set a header: for
// those, opening the link also sets a cookie, honoured for GET and HEAD only (a cookie rides
// along on requests other sites trigger; safe methods change nothing) and only after the session
// (a user's own session wins over a link opened earlier in the same browser).
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AuthenticationError, type Identity, type PrincipalResolver } from '../auth/principal.js';
import { readCookie, SHARE_LINK_COOKIE } from './cookies.js';
import { isSafeMethod } from './csrf.js';
import { ShareLinkStore, type ShareLink } from './share-link-store.js';

export const SHARE_LINK_HEADER = 'x-share-link';
export const SHARE_LINK_VIA = 'share-link';
const CHALLENGE = 'ShareLink realm="mounts"';

export interface ShareLinkResolverOptions {
  redis: Redis;
  /** SHARE_LINK_SECRET. */
  shareLinkSecret: string;
}

/** The link's holder: no person, the link's id as subject, and the link's grant bound to it. */
export function shareLinkIdentity(link: ShareLink): Identity {
  return {
    principal: { sub: link.id, groups: [], via: SHARE_LINK_VIA },
    bound: { mount: link.mount, role: link.role, scope: link.path, target: link.target },
  };
}

function headerToken(request: FastifyRequest): string | undefined {
  const value = request.headers[SHARE_LINK_HEADER];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `X-Share-Link: <token>`, for the API core's list right after the bearer resolver. A token
 * that is forged, revoked or expired is a 401: the UI tells its holder the link no longer works.
 */
export class ShareLinkHeaderResolver implements PrincipalResolver {
  readonly name = SHARE_LINK_VIA;
  readonly #store: ShareLinkStore;

  constructor(options: ShareLinkResolverOptions) {
    this.#store = new ShareLinkStore(options.redis, options.shareLinkSecret);
  }

  async resolve(request: FastifyRequest): Promise<Identity | undefined> {
    const token = headerToken(request);
    if (token === undefined) return undefined;
    const link = await this.#store.resolve(token);
    if (link === undefined)
      throw new AuthenticationError(
        'the share link is not valid, was revoked or has expired',
        CHALLENGE,
      );
    return shareLinkIdentity(link);
  }
}

/**
 * The cookie set when a link is opened, for the API core's list after the session resolver;
 * GET and HEAD only. A cookie left from a revoked or expired link is ignored, not refused.
 */
export class ShareLinkCookieResolver implements PrincipalResolver {
  readonly name = `${SHARE_LINK_VIA}-cookie`;
  readonly #store: ShareLinkStore;

  constructor(options: ShareLinkResolverOptions) {
    this.#store = new ShareLinkStore(options.redis, options.shareLinkSecret);
  }

  async resolve(request: FastifyRequest): Promise<Identity | undefined> {
    if (!isSafeMethod(request.method)) return undefined;
    const token = readCookie(request, SHARE_LINK_COOKIE);
    if (token === undefined || token === '') return undefined;
    const link = await this.#store.resolve(token);
    return link === undefined ? undefined : shareLinkIdentity(link);
  }
}
