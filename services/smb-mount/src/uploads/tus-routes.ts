// tus 1.0 resumable uploads at /mounts/api/v1/m/:mount/uploads/ (@tus/server, one Server per
// mount over SmbDataStore, locks and state in Redis). Every request is authenticated and
// authorized here before tus sees it; an upload is continued only by the principal that created
// it; chunk sizes are enforced when UPLOAD_CHUNKED=true. tus's plain-text errors are answered in
// the API's JSON error shape.
import { randomBytes } from 'node:crypto';
import { Server } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NodeRequest } from 'srvx/node';
import { authorize } from '../auth/grant.js';
import type { ServiceContext } from '../context.js';
import { ApiError, errorAnswer, RETRY_AFTER_SECONDS, type ErrorKind } from '../api/errors.js';
import {
  API_PREFIX,
  BEARER_SECURITY,
  errorResponses,
  MOUNT_PREFIX,
  mountParams,
} from '../api/schemas.js';
import { MountPath } from '../smb/paths.js';
import { checkChunk, uploadLimits } from './chunk-policy.js';
import { RedisLocker } from './redis-locker.js';
import { SmbDataStore, type PendingCreation } from './smb-datastore.js';
import { UploadRecords } from './upload-records.js';
import { TusError } from './tus-errors.js';
import { uploadTarget } from './upload-target.js';

/** Response headers of the request that completes an upload: what the file became. */
export const VERSION_HEADER = 'X-Item-Version';
export const PATH_HEADER = 'X-Item-Path';

const SEGMENT_BYTES = 32 * 1024 * 1024;

const STATUS_KINDS: Readonly<Record<number, ErrorKind>> = {
  400: 'Invalid',
  403: 'Invalid',
  404: 'NotFound',
  409: 'Conflict',
  410: 'NotFound',
  412: 'Invalid',
  413: 'TooLarge',
  415: 'UnsupportedMediaType',
  423: 'Conflict',
  460: 'Conflict',
  501: 'Invalid',
  503: 'Unavailable',
};

/** tus answers some errors itself, in plain text: here they get the API's JSON shape. */
async function asJsonError(response: Response): Promise<Response> {
  if (response.status < 400) return response;
  const text = (await response.text()).trim();
  const kind = STATUS_KINDS[response.status] ?? 'Internal';
  // The JSON bodies onResponseError wrote are kept; tus's own plain-text ones are wrapped.
  const body = text.startsWith('{') ? text : undefined;
  const headers = new Headers(response.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  headers.delete('content-length');
  if (kind === 'Unavailable') headers.set('retry-after', String(RETRY_AFTER_SECONDS));
  const message = kind === 'Internal' ? 'internal error' : text || 'upload refused';
  return new Response(body ?? JSON.stringify({ error: kind, message }), {
    status: response.status,
    headers,
  });
}

interface RequestState {
  request: FastifyRequest;
  creation?: PendingCreation;
}

export function uploadRoutes(app: FastifyInstance, context: ServiceContext): void {
  const limits = uploadLimits(context.config);
  const records = new UploadRecords(context.redis.client);
  const locker = new RedisLocker(context.redis.client);
  const states = new WeakMap<object, RequestState>();
  const pending = new Map<string, PendingCreation>();
  const servers = new Map<string, { server: Server; store: SmbDataStore }>();

  for (const mount of context.mounts.names) {
    const store = new SmbDataStore({
      mount,
      backend: () => context.mounts.backend(mount),
      records,
      takePending: (id) => {
        const creation = pending.get(id);
        pending.delete(id);
        return creation;
      },
      segmentBytes: SEGMENT_BYTES,
      onBytes: (bytes) => {
        context.metrics.bytesReceived.inc({ mount }, bytes);
      },
      onCommit: (record) => {
        context.metrics.uploads.inc({ outcome: 'committed' });
        context.listings.invalidate(mount, MountPath.parse(record.dir));
      },
    });
    const server = new Server({
      path: `${API_PREFIX}/m/${mount}/uploads`,
      datastore: store,
      locker,
      relativeLocation: true,
      maxSize: limits.maxFileSizeBytes,
      exposedHeaders: [VERSION_HEADER, PATH_HEADER],
      allowedOrigins: [context.config.PUBLIC_URL],
      namingFunction: (request) => {
        const id = randomBytes(16).toString('hex');
        const creation = states.get(request)?.creation;
        if (creation !== undefined) pending.set(id, creation);
        return id;
      },
      onUploadCreate: () => {
        context.metrics.uploads.inc({ outcome: 'created' });
        return Promise.resolve({});
      },
      onUploadFinish: async (_request, upload) => {
        const record = await store.finish(upload.id);
        return {
          headers: {
            [VERSION_HEADER]: record.committed?.version ?? '',
            [PATH_HEADER]: encodeURI(record.committed?.path ?? ''),
          },
        };
      },
      onResponseError: (request, error) => {
        // tus's own errors keep their status; asJsonError gives them the JSON shape.
        if (!(error instanceof Error) || error instanceof TusError) return undefined;
        const answer = errorAnswer(error);
        if (answer.serverSide) {
          context.metrics.uploads.inc({ outcome: 'failed' });
          states.get(request)?.request.log.warn(
            {
              kind: answer.body.error,
              smb: error.name === 'SmbError' ? error.message : undefined,
            },
            'upload request failed',
          );
        }
        return { status_code: answer.status, body: JSON.stringify(answer.body) };
      },
    });
    server.on('POST_TERMINATE', () => {
      context.metrics.uploads.inc({ outcome: 'terminated' });
    });
    servers.set(mount, { server, store });
  }

  const handle = async (
    request: FastifyRequest<{ Params: { mount: string; id?: string } }>,
    reply: FastifyReply,
  ) => {
    const { mount, id } = request.params;
    const grant = await context.auth.grant(request, mount);
    const tus = servers.get(mount);
    if (tus === undefined) throw new ApiError('NotFound', `no mount named ${mount}`);
    const state: RequestState = { request };
    if (request.method === 'POST') {
      const metadata = request.headers['upload-metadata'];
      const target = uploadTarget(Array.isArray(metadata) ? metadata.join(',') : metadata);
      authorize(grant, 'upload', target.path);
      const length = Number(request.headers['upload-length']);
      if (request.headers['content-type'] === 'application/offset+octet-stream')
        checkChunk(limits, {
          contentLength: request.headers['content-length'],
          offset: 0,
          size: Number.isSafeInteger(length) ? length : 0,
        });
      state.creation = { owner: grant.principal.sub, dir: target.dir, name: target.name };
    } else if (id !== undefined) {
      const record = await records.get(id);
      // Someone else's upload is answered like a missing one.
      if (record?.mount !== mount || record.owner !== grant.principal.sub)
        throw new ApiError('NotFound', 'no such upload');
      authorize(grant, 'upload', MountPath.parse(record.dir).child(record.name));
      if (request.method === 'PATCH')
        checkChunk(limits, {
          contentLength: request.headers['content-length'],
          offset: Number(request.headers['upload-offset']),
          size: record.size,
        });
    } else {
      // OPTIONS: tus discovery, for callers who could upload somewhere on the mount.
      authorize(grant, 'upload', grant.scope ?? MountPath.root);
    }
    const webRequest = new NodeRequest({ req: request.raw, res: reply.raw });
    states.set(webRequest, state);
    const response = await asJsonError(await tus.server.handleWeb(webRequest));
    return reply.send(response);
  };

  const tusHeaders = {
    type: 'object',
    properties: {
      'tus-resumable': { type: 'string', description: '1.0.0' },
    },
  } as const;

  // tus bodies are raw bytes that @tus/server reads itself: nothing here parses them.
  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, parsed) => {
      parsed(null);
    });
    scope.route<{ Params: { mount: string } }>({
      method: ['POST', 'OPTIONS'],
      url: `${MOUNT_PREFIX}/uploads`,
      schema: {
        summary: 'Creates a tus 1.0 upload (POST), or tells the tus capabilities (OPTIONS)',
        description:
          'Upload-Length (at most upload.maxFileSizeBytes), Upload-Metadata with `filename` and `directory` (mount-relative; absent for the root). The file is written to a temporary name and committed by an atomic rename-replace once its last byte is in; the request that completes it carries X-Item-Version and X-Item-Path. An existing file is replaced. creation-with-upload is accepted.',
        tags: ['uploads'],
        security: BEARER_SECURITY,
        params: mountParams,
        headers: tusHeaders,
        response: {
          201: { description: 'Created; Location names the upload.', type: 'null' },
          204: { description: 'OPTIONS: Tus-Version, Tus-Extension, Tus-Max-Size.', type: 'null' },
          ...errorResponses,
        },
      },
      handler: handle,
    });
    scope.route<{ Params: { mount: string; id: string } }>({
      method: ['HEAD', 'PATCH', 'DELETE', 'OPTIONS'],
      url: `${MOUNT_PREFIX}/uploads/:id`,
      schema: {
        summary: 'An upload: its offset (HEAD), more bytes (PATCH), termination (DELETE)',
        description:
          'PATCH: Content-Type application/offset+octet-stream, Upload-Offset; with upload.chunked the body is between minChunkSizeBytes (except the last) and maxChunkSizeBytes, and Content-Length is required. Only the principal that created an upload may use it.',
        tags: ['uploads'],
        security: BEARER_SECURITY,
        params: {
          type: 'object',
          required: ['mount', 'id'],
          properties: {
            ...mountParams.properties,
            id: { type: 'string', pattern: '^[0-9a-f]{32}$' },
          },
        },
        headers: tusHeaders,
        response: {
          200: { description: 'HEAD: Upload-Offset and Upload-Length.', type: 'null' },
          204: { description: 'PATCH: the new Upload-Offset; DELETE: terminated.', type: 'null' },
          ...errorResponses,
        },
      },
      handler: handle,
    });
    done();
  });
}
