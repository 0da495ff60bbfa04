// The WOPI host on fastify. The API registers it once, at the root (its routes carry their full
// paths), with the options below:
//
//   await app.register(wopiPlugin, {
//     config,                                   // MountsConfig; only its WOPI fields are read
//     backends: (mount) => mounts.backend(mount), // MountRegistry: SmbBackend of a served mount
//     redis: redis.client,                      // the ioredis client of REDIS_URL (locks)
//     authorize,                                // WopiAuthorize, below: the API's access check
//     tuning,                                   // optional: TTLs and limits (host.ts WopiTuning)
//   });
//   app.wopi.launch(grant)                      // the same launch, for the API's own routes
//
// Routes:
//   GET  /mounts/api/v1/m/:mount/wopi?path=…[&lang=…]   launch: {access_token, access_token_ttl,
//                                                       launch_url}, as Drive's /items/<id>/wopi/
//   GET  /mounts/wopi/files/:fileId                     CheckFileInfo
//   POST /mounts/wopi/files/:fileId                     LOCK (+ X-WOPI-OldLock: UnlockAndRelock),
//                                                       GET_LOCK, REFRESH_LOCK, UNLOCK
//   GET  /mounts/wopi/files/:fileId/contents            GetFile
//   POST /mounts/wopi/files/:fileId/contents            PutFile (X-WOPI-Override: PUT)
// The WOPI routes live in their own encapsulated context (their own body parser and WOPI-style
// answers); the launch route is an API route, answered by the app's error handler.
import type { Readable } from 'node:stream';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, type ErrorKind } from '../api/errors.js';
import { SmbError } from '../smb/errors.js';
import { lastModifiedTime } from './check-file-info.js';
import { WopiRefusal } from './errors.js';
import {
  WOPI_FILES_PATH,
  WopiHost,
  type EditorStatus,
  type Principal,
  type Role,
  type WopiCall,
  type WopiHostOptions,
} from './host.js';
import {
  checkFileInfoOperation,
  getFileOperation,
  lockOperation,
  putFileOperation,
} from './operations.js';
import { refusalFromSmb } from './smb-status.js';

/**
 * The API's access check for the launch route: who asks, and their role on the mount (its Grant
 * fits: `{principal, role, …}`). Opening needs what previewing needs (auth/roles.ts 'preview' on
 * the path, a share link's scope included); the role then decides edit or view. Refusals are
 * thrown (ApiError, AuthenticationError) and answered by the app's error handler.
 */
export type WopiAuthorize = (
  request: FastifyRequest,
  target: { mount: string; path: string },
) => Promise<{ principal: Principal; role: Role }>;

/** WopiHostOptions (config, backends, redis, tuning) and the API's access check. */
export interface WopiPluginOptions extends WopiHostOptions {
  authorize: WopiAuthorize;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The WOPI host: launch(grant) opens a file in its editor. */
    wopi: WopiHost;
  }
}

export const LAUNCH_ROUTE = '/mounts/api/v1/m/:mount/wopi';

const LAUNCH_ERROR_KINDS: Readonly<Partial<Record<number, ErrorKind>>> = {
  400: 'Invalid',
  404: 'NotFound',
  415: 'UnsupportedMediaType',
  503: 'Unavailable',
};

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The URL without its access token: fastify logs request URLs, and a token is a credential. */
export function redactedUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}

const logSerializers = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: redactedUrl(request.url),
    remoteAddress: request.ip,
  }),
};

function accessToken(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown>;
  // WOPI clients must send the query parameter; some also send the header.
  if (typeof query.access_token === 'string') return query.access_token;
  const authorization = header(request, 'authorization');
  return authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
}

function wopiCall(request: FastifyRequest<{ Params: { fileId: string } }>): WopiCall {
  return {
    fileId: request.params.fileId,
    accessToken: accessToken(request),
    pathAndQuery: request.raw.url ?? request.url,
    proof: header(request, 'x-wopi-proof'),
    proofOld: header(request, 'x-wopi-proofold'),
    timestamp: header(request, 'x-wopi-timestamp'),
  };
}

function logEditors(app: FastifyInstance, editors: EditorStatus[]): void {
  if (editors.length === 0) {
    app.log.info('WOPI: no WOPI_DISCOVERY_URLS, so no file opens in an editor');
    return;
  }
  for (const editor of editors) {
    if (!editor.loaded)
      app.log.warn(
        { discovery: editor.url, reason: editor.failure },
        'WOPI: editor discovery not available yet; its files do not open until it is',
      );
    else
      app.log.info(
        { discovery: editor.url, extensions: editor.extensions, proofKey: editor.proofKey },
        'WOPI: editor discovered',
      );
  }
  if (editors.every((editor) => editor.loaded && !editor.proofKey))
    app.log.warn(
      'WOPI: no editor publishes a proof-key, so WOPI requests are not signature-checked (as Drive does)',
    );
}

const wopiRoutes: FastifyPluginCallback<{ host: WopiHost }> = (app, { host }, done) => {
  // PutFile bodies are documents, whatever their Content-Type: handed over as the raw stream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => {
    done(null, payload);
  });

  app.setErrorHandler(async (error, request, reply) => {
    const refusal = error instanceof WopiRefusal ? error : refusalFromSmb(error);
    // Node discards the unread body of a refused request to keep the connection, unless reading
    // had begun (a PutFile cut short): then, and for a body too large to be worth reading, the
    // connection closes after the answer instead of waiting for bytes nobody reads.
    if (!request.raw.complete && (request.raw.readableDidRead || refusal?.status === 413))
      reply.header('connection', 'close');
    if (refusal) {
      const level = refusal.status >= 500 ? 'warn' : 'info';
      request.log[level]({ status: refusal.status }, `WOPI refused: ${refusal.reason}`);
      reply.code(refusal.status).headers(refusal.headers).header('cache-control', 'no-store');
      if (refusal.body !== undefined) return reply.send(refusal.body);
      return reply.type('text/plain; charset=utf-8').send(`${refusal.reason}\n`);
    }
    // fastify's own errors (a malformed request) and the API's (a mount that is unavailable)
    // keep their status; their messages are written for clients.
    const { statusCode, headers } = error as { statusCode?: unknown; headers?: unknown };
    if (
      typeof statusCode === 'number' &&
      statusCode >= 400 &&
      statusCode < 600 &&
      !(error instanceof SmbError)
    ) {
      if (typeof headers === 'object' && headers !== null) reply.headers(headers);
      return reply
        .code(statusCode)
        .type('text/plain; charset=utf-8')
        .send(`${(error as Error).message}\n`);
    }
    request.log.error({ err: error }, 'WOPI request failed');
    return reply.code(500).type('text/plain; charset=utf-8').send('internal error\n');
  });

  type FileRequest = FastifyRequest<{ Params: { fileId: string } }>;
  const options = { logSerializers };
  const base = `${WOPI_FILES_PATH}:fileId`;

  app.get(base, options, async (request: FileRequest, reply: FastifyReply) => {
    const auth = await host.authenticate(wopiCall(request));
    const info = await checkFileInfoOperation(host, auth);
    return reply.header('cache-control', 'no-store').send(info);
  });

  app.post(base, options, async (request: FileRequest, reply: FastifyReply) => {
    const auth = await host.authenticate(wopiCall(request));
    const result = await lockOperation(host, auth, {
      override: header(request, 'x-wopi-override') ?? '',
      lock: header(request, 'x-wopi-lock'),
      oldLock: header(request, 'x-wopi-oldlock'),
    });
    return reply.headers(result.headers).header('cache-control', 'no-store').send();
  });

  app.get(`${base}/contents`, options, async (request: FileRequest, reply: FastifyReply) => {
    const auth = await host.authenticate(wopiCall(request));
    const { stream, stat } = await getFileOperation(
      auth,
      header(request, 'x-wopi-maxexpectedsize'),
    );
    return reply
      .headers({
        'content-type': 'application/octet-stream',
        'content-length': String(stat.size),
        'x-wopi-itemversion': stat.version,
        'cache-control': 'no-store',
        // Document bytes must never render on the Drive origin.
        'content-disposition': 'attachment',
        'content-security-policy': "default-src 'none'; sandbox",
        'x-content-type-options': 'nosniff',
      })
      .send(stream);
  });

  app.post(
    `${base}/contents`,
    { ...options, bodyLimit: host.maxFileBytes },
    async (request: FileRequest, reply: FastifyReply) => {
      const auth = await host.authenticate(wopiCall(request));
      const override = (header(request, 'x-wopi-override') ?? '').toUpperCase();
      if (override !== 'PUT') throw new WopiRefusal(501, 'only PUT is supported on contents');
      const length = header(request, 'content-length');
      // Not destroyed when the upload stops early (too large), so the 413 still reaches the client.
      const body = (request.body as Readable | undefined)?.iterator({ destroyOnReturn: false });
      const stat = await putFileOperation(host, auth, {
        lock: header(request, 'x-wopi-lock'),
        editorTimestamp:
          header(request, 'x-cool-wopi-timestamp') ?? header(request, 'x-lool-wopi-timestamp'),
        contentLength: length === undefined ? undefined : Number(length),
        body: body ?? [],
      });
      request.log.info(
        {
          mount: auth.file.mount,
          size: stat.size,
          autosave: header(request, 'x-cool-wopi-isautosave'),
          exitSave: header(request, 'x-cool-wopi-isexitsave'),
        },
        'WOPI PutFile saved',
      );
      return reply
        .headers({ 'x-wopi-itemversion': stat.version, 'cache-control': 'no-store' })
        .send({ LastModifiedTime: lastModifiedTime(stat) });
    },
  );
  done();
};

const wopi: FastifyPluginAsync<WopiPluginOptions> = async (app, options) => {
  const host = new WopiHost(options);
  app.decorate('wopi', host);
  app.addHook('onReady', () => {
    // Not awaited: an editor that is down must not hold the service's start.
    host.editors().then(
      (editors) => {
        logEditors(app, editors);
      },
      (error: unknown) => {
        app.log.warn({ err: error }, 'WOPI: reading the editors’ discovery failed');
      },
    );
    return Promise.resolve();
  });
  await app.register(wopiRoutes, { host });

  app.get(
    LAUNCH_ROUTE,
    async (
      request: FastifyRequest<{
        Params: { mount: string };
        Querystring: { path?: string; lang?: string };
      }>,
      reply: FastifyReply,
    ) => {
      const { mount } = request.params;
      const { path, lang } = request.query;
      if (typeof path !== 'string' || path === '')
        throw new ApiError('Invalid', 'the path query parameter is required');
      const { principal, role } = await options.authorize(request, { mount, path });
      try {
        const launched = await host.launch(
          { principal, role, mount, path },
          typeof lang === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(lang)
            ? { lang }
            : {},
        );
        // Drive's answer to GET /items/<id>/wopi/, so the same host-page code can post it.
        return await reply.header('cache-control', 'no-store').send({
          access_token: launched.accessToken,
          access_token_ttl: launched.accessTokenTtl,
          launch_url: launched.launchUrl,
        });
      } catch (error) {
        // The API's error shape, from its own error handler; SMB errors it maps itself.
        if (error instanceof WopiRefusal)
          throw new ApiError(LAUNCH_ERROR_KINDS[error.status] ?? 'Internal', error.reason, {
            ...error.headers,
          });
        throw error;
      }
    },
  );
};

export const wopiPlugin = fp(wopi, { name: 'smb-mount-wopi', fastify: '5.x' });
