// Listing, stat, mkdir, move and delete.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import type { MountPath } from '../smb/paths.js';
import { access, entryBody } from './access.js';
import { BEARER_SECURITY, errorResponses, MOUNT_PREFIX, mountParams, pathText } from './schemas.js';

interface MountParams {
  mount: string;
}

const pathQuery = {
  type: 'object',
  properties: { path: pathText },
} as const;

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function itemRoutes(app: FastifyInstance, context: ServiceContext): void {
  const changed = (mount: string, ...paths: MountPath[]) => {
    for (const path of paths) context.listings.invalidate(mount, path.parent);
  };

  app.get<{ Params: MountParams; Querystring: { path?: string } }>(
    `${MOUNT_PREFIX}/items`,
    {
      schema: {
        summary: 'A directory listing, live from SMB',
        description:
          'Kept briefly and reused only while the directory itself (mtime and size) is unchanged.',
        tags: ['items'],
        security: BEARER_SECURITY,
        params: mountParams,
        querystring: pathQuery,
        response: {
          200: {
            type: 'object',
            required: ['directory', 'entries'],
            properties: {
              directory: { $ref: 'Entry#' },
              entries: { type: 'array', items: { $ref: 'Entry#' } },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { mount } = request.params;
      const { backend, paths } = await access(context, request, mount, {
        dir: ['list', request.query.path],
      });
      const listing = await context.listings.list(mount, paths.dir, backend);
      return {
        directory: entryBody(listing.dir),
        entries: listing.entries.map(entryBody).sort(byName),
      };
    },
  );

  app.get<{ Params: MountParams; Querystring: { path?: string } }>(
    `${MOUNT_PREFIX}/stat`,
    {
      schema: {
        summary: 'One file or directory',
        tags: ['items'],
        security: BEARER_SECURITY,
        params: mountParams,
        querystring: pathQuery,
        response: { 200: { $ref: 'Entry#' }, ...errorResponses },
      },
    },
    async (request) => {
      const { backend, paths } = await access(context, request, request.params.mount, {
        path: ['stat', request.query.path],
      });
      return entryBody(await backend.stat(paths.path));
    },
  );

  app.post<{ Params: MountParams; Body: { path: string } }>(
    `${MOUNT_PREFIX}/mkdir`,
    {
      schema: {
        summary: 'Creates a directory and any missing parent',
        tags: ['items'],
        security: BEARER_SECURITY,
        params: mountParams,
        body: {
          type: 'object',
          required: ['path'],
          additionalProperties: false,
          properties: { path: pathText },
        },
        response: { 201: { $ref: 'Entry#' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { mount } = request.params;
      const { backend, paths } = await access(context, request, mount, {
        path: ['mkdir', request.body.path],
      });
      const made = await backend.mkdirp(paths.path);
      for (let dir = paths.path; !dir.isRoot; dir = dir.parent) changed(mount, dir);
      return reply.code(201).send(entryBody(made));
    },
  );

  app.post<{ Params: MountParams; Body: { from: string; to: string; replace?: boolean } }>(
    `${MOUNT_PREFIX}/move`,
    {
      schema: {
        summary: 'Renames or moves a file or directory',
        description:
          'An existing target is a 409 Conflict, unless `replace` is true and both are files: then the target is replaced atomically.',
        tags: ['items'],
        security: BEARER_SECURITY,
        params: mountParams,
        body: {
          type: 'object',
          required: ['from', 'to'],
          additionalProperties: false,
          properties: {
            from: pathText,
            to: pathText,
            replace: { type: 'boolean', default: false },
          },
        },
        response: { 200: { $ref: 'Entry#' }, ...errorResponses },
      },
    },
    async (request) => {
      const { mount } = request.params;
      const { backend, paths } = await access(context, request, mount, {
        from: ['move', request.body.from],
        to: ['move', request.body.to],
      });
      const moved = await backend.rename(paths.from, paths.to, {
        replace: request.body.replace === true,
      });
      changed(mount, paths.from, paths.to);
      return entryBody(moved);
    },
  );

  app.delete<{ Params: MountParams; Querystring: { path?: string; recursive?: boolean } }>(
    `${MOUNT_PREFIX}/items`,
    {
      schema: {
        summary: 'Deletes a file or directory',
        description: 'A non-empty directory only with recursive=true; otherwise 409 NotEmpty.',
        tags: ['items'],
        security: BEARER_SECURITY,
        params: mountParams,
        querystring: {
          type: 'object',
          required: ['path'],
          properties: { path: pathText, recursive: { type: 'boolean', default: false } },
        },
        response: { 204: { type: 'null', description: 'Deleted.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { mount } = request.params;
      const { backend, paths } = await access(context, request, mount, {
        path: ['delete', request.query.path],
      });
      await backend.remove(paths.path, { recursive: request.query.recursive === true });
      changed(mount, paths.path);
      context.listings.invalidate(mount, paths.path);
      return reply.code(204).send();
    },
  );
}
