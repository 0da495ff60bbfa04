// Search by name below a directory, bounded in depth, time and results.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { access, entryBody } from './access.js';
import { ApiError } from './errors.js';
import { searchByName } from './name-search.js';
import { BEARER_SECURITY, errorResponses, MOUNT_PREFIX, mountParams, pathText } from './schemas.js';

export const SEARCH_LIMITS = {
  maxDepth: { default: 8, maximum: 32 },
  timeoutMs: { default: 5000, maximum: 30_000 },
  maxResults: { default: 200, maximum: 1000 },
} as const;

interface SearchQuery {
  q: string;
  path?: string;
  maxDepth: number;
  timeoutMs: number;
  maxResults: number;
}

export function searchRoutes(app: FastifyInstance, context: ServiceContext): void {
  app.get<{ Params: { mount: string }; Querystring: SearchQuery }>(
    `${MOUNT_PREFIX}/search`,
    {
      schema: {
        summary: 'Files and directories whose name contains q, below path',
        description:
          'Breadth first, case-insensitive. Bounded by maxDepth (directory levels), timeoutMs and maxResults: what was found is answered, with complete=false and the bounds that cut it in cutBy.',
        tags: ['items'],
        security: BEARER_SECURITY,
        params: mountParams,
        querystring: {
          type: 'object',
          required: ['q'],
          properties: {
            q: { type: 'string', minLength: 1, maxLength: 255 },
            path: pathText,
            maxDepth: { type: 'integer', minimum: 1, ...SEARCH_LIMITS.maxDepth },
            timeoutMs: { type: 'integer', minimum: 10, ...SEARCH_LIMITS.timeoutMs },
            maxResults: { type: 'integer', minimum: 1, ...SEARCH_LIMITS.maxResults },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['matches', 'complete', 'cutBy', 'directoriesListed'],
            properties: {
              matches: { type: 'array', items: { $ref: 'Entry#' } },
              complete: { type: 'boolean' },
              cutBy: {
                type: 'array',
                items: { type: 'string', enum: ['depth', 'time', 'results', 'errors'] },
              },
              directoriesListed: { type: 'integer' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { mount } = request.params;
      const { backend, paths } = await access(context, request, mount, {
        start: ['search', request.query.path],
      });
      const start = await backend.stat(paths.start);
      if (start.type !== 'directory')
        throw new ApiError('Conflict', `/${start.path} is not a directory`);
      const { maxDepth, timeoutMs, maxResults } = request.query;
      const result = await searchByName((dir) => backend.list(dir), paths.start, request.query.q, {
        maxDepth,
        timeoutMs,
        maxResults,
        concurrency: context.config.SMB_WORKERS,
      });
      return { ...result, matches: result.matches.map(entryBody) };
    },
  );
}
