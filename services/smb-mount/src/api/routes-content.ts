// Downloads: conditional (ETag, Last-Modified), one byte range, streamed from SMB with several
// positional reads in flight; a client that goes away stops the reads (fastify destroys the
// stream, which aborts the reads not yet started).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../context.js';
import { access } from './access.js';
import { attachment, DOWNLOAD_SAFETY_HEADERS, safeContentType } from './content-headers.js';
import { etagOf, planDownload, type RequestConditions } from './download-plan.js';
import { ApiError } from './errors.js';
import { BEARER_SECURITY, errorResponses, MOUNT_PREFIX, mountParams, pathText } from './schemas.js';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function conditions(request: FastifyRequest): RequestConditions {
  const found: RequestConditions = {};
  const range = header(request, 'range');
  const ifRange = header(request, 'if-range');
  const ifNoneMatch = header(request, 'if-none-match');
  const ifModifiedSince = header(request, 'if-modified-since');
  if (range !== undefined) found.range = range;
  if (ifRange !== undefined) found.ifRange = ifRange;
  if (ifNoneMatch !== undefined) found.ifNoneMatch = ifNoneMatch;
  if (ifModifiedSince !== undefined) found.ifModifiedSince = ifModifiedSince;
  return found;
}

/** A file replaced between the stat and the open is planned again from its new stat. */
const ATTEMPTS = 3;

export function contentRoutes(app: FastifyInstance, context: ServiceContext): void {
  app.route<{ Params: { mount: string }; Querystring: { path?: string } }>({
    method: ['GET', 'HEAD'],
    url: `${MOUNT_PREFIX}/content`,
    schema: {
      summary: "A file's content",
      description:
        'ETag is the quoted version. Range (one range; a multi-range request is answered 200 with the whole file), If-Range (ETag or date), If-None-Match and If-Modified-Since (304). Always an attachment, with a type that a browser will not render as a page.',
      tags: ['content'],
      security: BEARER_SECURITY,
      params: mountParams,
      querystring: { type: 'object', required: ['path'], properties: { path: pathText } },
      response: {
        200: {
          description: 'The whole file.',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        206: {
          description: 'One byte range, with Content-Range.',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        304: { description: 'Not modified.', type: 'null' },
        ...errorResponses,
      },
    },
    handler: async (request, reply) => {
      const { mount } = request.params;
      const { backend, paths } = await access(context, request, mount, {
        path: ['download', request.query.path],
      });
      const path = paths.path;
      const wanted = conditions(request);
      for (let attempt = 1; ; attempt += 1) {
        const stat = await backend.stat(path);
        if (stat.type === 'directory')
          throw new ApiError('Conflict', `/${path.toString()} is a directory`);
        const plan = planDownload(stat, wanted);
        reply.headers({
          etag: etagOf(stat.version),
          'last-modified': stat.mtime.toUTCString(),
          'accept-ranges': 'bytes',
          'cache-control': 'private, no-cache',
        });
        if (plan.status === 304) return reply.code(304).send();
        if (plan.status === 416)
          throw new ApiError('RangeNotSatisfiable', `the file has ${String(stat.size)} bytes`, {
            'content-range': `bytes */${String(stat.size)}`,
          });
        reply.headers({
          'content-type': safeContentType(stat.name),
          'content-disposition': attachment(stat.name),
          'content-length': String(plan.length),
          ...DOWNLOAD_SAFETY_HEADERS,
        });
        if (plan.status === 206)
          reply.header(
            'content-range',
            `bytes ${String(plan.start)}-${String(plan.end)}/${String(stat.size)}`,
          );
        reply.code(plan.status);
        if (request.method === 'HEAD' || plan.length === 0) return reply.send();
        const stream = await backend.read(path, plan.start, plan.end);
        if (stream.stat.version !== stat.version) {
          stream.destroy();
          if (attempt < ATTEMPTS) continue;
          throw new ApiError('Conflict', `/${path.toString()} keeps changing; try again`);
        }
        stream.on('data', (chunk: Buffer) => {
          context.metrics.bytesSent.inc({ mount }, chunk.byteLength);
        });
        return reply.send(stream);
      }
    },
  });
}
