// Share links: managers create, list and revoke them under the mount's API; anyone opening
// `/mounts/s/<token>` is sent to the UI's view of the shared item, the token in the URL's
// fragment (which no request, log or Referer carries) for the UI to send as `X-Share-Link`, and
// in a cookie for plain downloads (share-link-resolver.ts).
// The route schemas carry OpenAPI fields (summary, tags, hide): @fastify/swagger declares them.
import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { ApiError } from '../api/errors.js';
import {
  BEARER_SECURITY,
  errorResponses,
  MOUNT_PREFIX,
  mountParams,
  pathText,
} from '../api/schemas.js';
import type { Authenticator } from '../auth/authenticator.js';
import { authorize } from '../auth/grant.js';
import { MOUNTS_BASE_PATH, type MountsConfig } from '../config.js';
import type { MountRegistry } from '../mount-registry.js';
import { MountPath } from '../smb/paths.js';
import { SHARE_LINK_COOKIE, setCookie } from './cookies.js';
import { ShareLinkStore, type ShareLink } from './share-link-store.js';
import type { ShareLinkRole } from './share-link-token.js';

export const SHARE_LINK_PATH_PREFIX = `${MOUNTS_BASE_PATH}s/`;

export const SHARE_LINK_DEFAULTS = {
  /** The longest lifetime a manager may give a link: 30 days. */
  maxExpiresInSeconds: 30 * 24 * 3600,
} as const;

export interface ShareLinksPluginOptions {
  /** PUBLIC_URL, the Drive origin: the links' URLs start with it. */
  publicUrl: string;
  /** Shared by every replica (REDIS_URL): links and their revocations. */
  redis: Redis;
  /** SHARE_LINK_SECRET (≥ 32 characters): the links' MACs. */
  shareLinkSecret: string;
  /** Upper bound of `expiresInSeconds`. Default 30 days. */
  maxExpiresInSeconds?: number;
  /** The API core's: the caller's grant on a mount (401, or 404 for a mount hidden from them). */
  auth: Pick<Authenticator, 'grant'>;
  /** The API core's: a mount's SMB backend, to check what is shared exists and what it is. */
  mounts: Pick<MountRegistry, 'backend'>;
}

/** The options from the service's configuration and the API core's parts. */
export function shareLinksOptionsFromConfig(
  config: MountsConfig,
  redis: Redis,
  parts: Pick<ShareLinksPluginOptions, 'auth' | 'mounts'>,
): ShareLinksPluginOptions {
  return {
    publicUrl: config.PUBLIC_URL,
    redis,
    shareLinkSecret: config.SHARE_LINK_SECRET,
    ...parts,
  };
}

/** The UI's page for a shared item: a directory's listing, or the file's own view. */
export function uiLocation(link: Pick<ShareLink, 'mount' | 'path' | 'target'>): string {
  const segments = [link.mount, ...link.path.segments].map(encodeURIComponent).join('/');
  const directory = link.target === 'directory';
  return `${MOUNTS_BASE_PATH}${segments}${directory ? '/' : ''}`;
}

const shareLinkBody = {
  type: 'object',
  required: ['id', 'url', 'mount', 'path', 'target', 'role', 'expiresAt', 'createdAt', 'createdBy'],
  properties: {
    id: { type: 'string', description: 'Names the link for revocation.' },
    url: { type: 'string', description: 'The link to hand out: `${PUBLIC_URL}/mounts/s/<token>`.' },
    mount: { type: 'string' },
    path: { type: 'string', description: 'The shared item, mount-relative; "" for the root.' },
    target: {
      type: 'string',
      enum: ['file', 'directory'],
      description: 'A directory link reaches everything below it; a file link that file alone.',
    },
    role: { type: 'string', enum: ['viewer', 'editor'] },
    expiresAt: { type: 'string', format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: {
      type: 'object',
      required: ['sub'],
      properties: { sub: { type: 'string' }, email: { type: 'string' } },
    },
  },
} as const;

const linkParams = {
  type: 'object',
  required: ['mount', 'id'],
  properties: { ...mountParams.properties, id: { type: 'string' } },
} as const;

function positive(value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen <= 0)
    throw new TypeError('maxExpiresInSeconds must be a positive whole number of seconds');
  return chosen;
}

function text(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/plain; charset=utf-8')
    .send(`${message}\n`);
}

interface CreateBody {
  path: string;
  role: ShareLinkRole;
  expiresInSeconds: number;
}

/** Registers the share-link routes; use with `app.register(shareLinksPlugin, options)`. */
export function shareLinksPlugin(
  app: FastifyInstance,
  options: ShareLinksPluginOptions,
): Promise<void> {
  const publicOrigin = new URL(options.publicUrl).origin;
  const maxExpiresInSeconds = positive(
    options.maxExpiresInSeconds,
    SHARE_LINK_DEFAULTS.maxExpiresInSeconds,
  );
  const store = new ShareLinkStore(options.redis, options.shareLinkSecret);
  const { auth, mounts } = options;

  const answer = ({ link, token }: { link: ShareLink; token: string }) => ({
    id: link.id,
    url: `${publicOrigin}${SHARE_LINK_PATH_PREFIX}${token}`,
    mount: link.mount,
    path: link.path.toString(),
    target: link.target,
    role: link.role,
    expiresAt: link.expiresAt.toISOString(),
    createdAt: link.createdAt.toISOString(),
    createdBy: link.createdBy,
  });

  app.post<{ Params: { mount: string }; Body: CreateBody }>(
    `${MOUNT_PREFIX}/share-links`,
    {
      schema: {
        summary: 'Creates a share link to a file or directory (manager)',
        tags: ['share-links'],
        security: BEARER_SECURITY,
        params: mountParams,
        body: {
          type: 'object',
          required: ['path', 'role', 'expiresInSeconds'],
          additionalProperties: false,
          properties: {
            path: pathText,
            role: { type: 'string', enum: ['viewer', 'editor'] },
            expiresInSeconds: { type: 'integer', minimum: 1, maximum: maxExpiresInSeconds },
          },
        },
        response: { 201: shareLinkBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { mount } = request.params;
      const grant = await auth.grant(request, mount);
      const path = MountPath.parse(request.body.path);
      authorize(grant, 'share', path);
      const stat = await (await mounts.backend(mount)).stat(path);
      const { sub, email } = grant.principal;
      const created = await store.create({
        mount,
        path,
        target: stat.type,
        role: request.body.role,
        expiresInSeconds: request.body.expiresInSeconds,
        createdBy: { sub, ...(email === undefined ? {} : { email }) },
      });
      request.log.info(
        { mount, linkId: created.link.id, role: created.link.role },
        'share link created',
      );
      return reply.code(201).header('cache-control', 'no-store').send(answer(created));
    },
  );

  app.get<{ Params: { mount: string } }>(
    `${MOUNT_PREFIX}/share-links`,
    {
      schema: {
        summary: "The mount's share links in force (manager)",
        tags: ['share-links'],
        security: BEARER_SECURITY,
        params: mountParams,
        response: {
          200: {
            type: 'object',
            required: ['shareLinks'],
            properties: { shareLinks: { type: 'array', items: shareLinkBody } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { mount } = request.params;
      authorize(await auth.grant(request, mount), 'share', MountPath.root);
      const links = await store.list(mount);
      return reply.header('cache-control', 'no-store').send({ shareLinks: links.map(answer) });
    },
  );

  app.delete<{ Params: { mount: string; id: string } }>(
    `${MOUNT_PREFIX}/share-links/:id`,
    {
      schema: {
        summary: 'Revokes a share link at once (manager)',
        tags: ['share-links'],
        security: BEARER_SECURITY,
        params: linkParams,
        response: { 204: { type: 'null', description: 'Revoked.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { mount, id } = request.params;
      authorize(await auth.grant(request, mount), 'share', MountPath.root);
      if (!(await store.revoke(mount, id)))
        throw new ApiError('NotFound', `no share link ${id} on mount ${mount}`);
      request.log.info({ mount, linkId: id }, 'share link revoked');
      return reply.code(204).send();
    },
  );

  // Opened by a person in a browser: plain-text refusals, a redirect on success.
  app.get<{ Params: { token: string } }>(
    `${SHARE_LINK_PATH_PREFIX}:token`,
    {
      schema: {
        summary: 'Opens a share link: to the UI view of the shared item',
        description:
          'The token comes back in the URL fragment (#share=…) for the UI to send as X-Share-Link, and in a cookie for plain downloads.',
        tags: ['share-links'],
        security: [],
        response: {
          303: { description: 'To the shared view.', type: 'null' },
          404: { description: 'Forged, revoked or expired.', type: 'string' },
        },
      },
    },
    async (request, reply) => {
      const { token } = request.params;
      const link = await store.resolve(token);
      if (link === undefined)
        return text(reply, 404, 'This share link does not exist, was revoked or has expired.');
      const remaining = Math.floor((link.expiresAt.getTime() - Date.now()) / 1000);
      // Strict: only our own pages' requests carry it, never one another site starts.
      setCookie(reply, SHARE_LINK_COOKIE, token, {
        path: MOUNTS_BASE_PATH,
        sameSite: 'strict',
        maxAgeSeconds: Math.max(remaining, 1),
      });
      request.log.info({ mount: link.mount, linkId: link.id }, 'share link opened');
      return (
        reply
          .header('cache-control', 'no-store')
          // The token must not leak to the next page's outgoing links through Referer.
          .header('referrer-policy', 'no-referrer')
          .redirect(`${uiLocation(link)}#share=${token}`, 303)
      );
    },
  );
  return Promise.resolve();
}
