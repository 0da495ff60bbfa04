// PUT content?path=: a whole file in one request, accepted only when UPLOAD_CHUNKED=false. Like a
// tus upload it is written to a temporary name and committed by rename-replace, so a failed or
// abandoned request leaves the old file as it was.
import type { FastifyInstance } from 'fastify';
import { access, entryBody } from '../api/access.js';
import { etagOf } from '../api/download-plan.js';
import { ApiError } from '../api/errors.js';
import {
  BEARER_SECURITY,
  errorResponses,
  MOUNT_PREFIX,
  mountParams,
  pathText,
} from '../api/schemas.js';
import type { ServiceContext } from '../context.js';
import { SmbError } from '../smb/errors.js';
import { UploadWriteError } from '../smb/upload-writer.js';
import { VERSION_HEADER } from './tus-routes.js';

/** The body, failing as soon as it exceeds `max` bytes. */
async function* bounded(body: AsyncIterable<Buffer>, max: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.byteLength;
    if (seen > max) throw new ApiError('TooLarge', `a file may hold at most ${String(max)} bytes`);
    yield chunk;
  }
}

function preconditions(
  current: { version: string } | undefined,
  ifMatch: string | undefined,
  ifNoneMatch: string | undefined,
): void {
  if (ifNoneMatch?.trim() === '*' && current !== undefined)
    throw new ApiError('PreconditionFailed', 'the file exists (If-None-Match: *)');
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(',').map((tag) => tag.trim());
  const holds =
    current !== undefined && (tags.includes('*') || tags.includes(etagOf(current.version)));
  if (!holds)
    throw new ApiError('PreconditionFailed', 'the file is not at the version given (If-Match)');
}

export function wholeFileRoutes(app: FastifyInstance, context: ServiceContext): void {
  const max = context.config.UPLOAD_MAX_FILE_SIZE_BYTES;
  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, parsed) => {
      parsed(null);
    });
    scope.put<{ Params: { mount: string }; Querystring: { path: string } }>(
      `${MOUNT_PREFIX}/content`,
      {
        schema: {
          summary: 'Writes a whole file (only when uploads are not chunked)',
          description:
            'The body is the file. 405 when upload.chunked is true (use tus). Written to a temporary name and committed by an atomic rename-replace; If-Match and If-None-Match: * are honoured. The answer carries the new ETag and X-Item-Version.',
          tags: ['content'],
          security: BEARER_SECURITY,
          params: mountParams,
          querystring: { type: 'object', required: ['path'], properties: { path: pathText } },
          response: {
            200: { description: 'Replaced.', $ref: 'Entry#' },
            201: { description: 'Created.', $ref: 'Entry#' },
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const { mount } = request.params;
        const { backend, paths } = await access(context, request, mount, {
          path: ['upload', request.query.path],
        });
        if (context.config.UPLOAD_CHUNKED)
          throw new ApiError('MethodNotAllowed', 'uploads here go in chunks, through tus', {
            allow: 'GET, HEAD',
          });
        const declared = request.headers['content-length'];
        if (declared !== undefined && Number(declared) > max)
          throw new ApiError('TooLarge', `a file may hold at most ${String(max)} bytes`);
        const path = paths.path;
        if (path.isRoot) throw new ApiError('Invalid', 'the mount root is not a file');
        const current = await backend.stat(path).catch((error: unknown) => {
          if (error instanceof SmbError && error.kind === 'NotFound') return undefined;
          throw error;
        });
        if (current?.type === 'directory')
          throw new ApiError('Conflict', `/${path.toString()} is a directory`);
        const header = (name: string) => {
          const value = request.headers[name];
          return Array.isArray(value) ? value.join(',') : value;
        };
        preconditions(current, header('if-match'), header('if-none-match'));
        const upload = await backend.createUpload(path.parent, path.name);
        let stat;
        try {
          const written = await backend.writeFrom(upload, 0, bounded(request.raw, max));
          context.metrics.bytesReceived.inc({ mount }, written);
          if (declared !== undefined && written !== Number(declared))
            throw new ApiError('Invalid', 'the body ended before its Content-Length');
          stat = await backend.commit(upload);
        } catch (error) {
          await backend.abort(upload).catch(() => undefined);
          // A client that went away is no failure of this service (and hears no answer).
          if (request.raw.readableAborted)
            throw new ApiError('Invalid', 'the request body broke off');
          throw error instanceof UploadWriteError ? error.cause : error;
        }
        context.listings.invalidate(mount, path.parent);
        context.metrics.uploads.inc({ outcome: 'committed' });
        return reply
          .code(current === undefined ? 201 : 200)
          .header('etag', etagOf(stat.version))
          .header(VERSION_HEADER, stat.version)
          .send(entryBody(stat));
      },
    );
    done();
  });
}
