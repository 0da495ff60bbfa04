// The web UI (sources in ui/, built into dist/ui-assets/) as an extension of the service
// (app.ts): one static page for every UI address, `/mounts/` (the caller's mounts) and
// `/mounts/<mount>/<path>` (a folder or a file), whose scripts read the address, ask the API and
// draw the rest; and the page's scripts and styles under `/mounts/_ui/` ("_" is in no mount
// name). The page holds no data, so it is served to anyone: the scripts send a visitor without a
// session to the login, and a share link's holder (its token is in the URL's fragment, which
// the server never sees) to the link's view.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceExtension } from '../app.js';
import { MOUNTS_BASE_PATH, RESERVED_NAMES } from '../config.js';
import type {} from '../wopi/plugin.js';
import { loadAssets, SHELL, type Asset } from './assets.js';
import { contentSecurityPolicy, pageHeaders } from './csp.js';
import { Editors } from './editors.js';

export const UI_ASSETS_PATH = `${MOUNTS_BASE_PATH}_ui/`;

/** A StorageMount name (config.ts), which is the first segment of a mount's pages. */
const MOUNT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const RESERVED: ReadonlySet<string> = new Set(RESERVED_NAMES);

const NOT_BUILT = 'The web UI is not built: run `npm run build:ui -w services/smb-mount`.\n';

export interface UiExtensionOptions {
  /** Where the built UI is; default dist/ui-assets/ of this workspace. */
  assetsDirectory?: string;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  reply.header('etag', asset.etag).header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.type).send(asset.body);
}

function registerRoutes(
  app: FastifyInstance,
  assets: ReadonlyMap<string, Asset> | undefined,
  policy: () => Promise<string>,
  editors: Editors,
): void {
  const hidden = { hide: true, tags: ['ui'] };

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const shell = assets?.get(SHELL);
    if (shell === undefined)
      return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    return send(request, reply.headers(pageHeaders(await policy())), shell);
  };

  app.get('/mounts', { schema: { ...hidden, summary: 'The web UI: your mounts' } }, page);

  const mountPage = async (
    request: FastifyRequest<{ Params: { mount: string } }>,
    reply: FastifyReply,
  ) => {
    const { mount } = request.params;
    // The API's own prefixes are not pages: an unknown API route stays a JSON 404.
    if (!MOUNT_NAME.test(mount) || RESERVED.has(mount)) {
      reply.callNotFound();
      return reply;
    }
    return page(request, reply);
  };
  const summary = 'The web UI: a folder or a file of a mount';
  app.get('/mounts/:mount', { schema: { ...hidden, summary } }, mountPage);
  app.get('/mounts/:mount/*', { schema: { ...hidden, summary } }, mountPage);

  // Which files "Open" is offered for. Public like the page: an editor's file types are no secret.
  app.get(
    `${UI_ASSETS_PATH}editors.json`,
    { schema: { ...hidden, summary: 'The file extensions the WOPI editors edit' } },
    async (_request, reply) => {
      const { extensions } = await editors.current();
      return reply.header('cache-control', 'no-cache').send({ extensions });
    },
  );

  app.get<{ Params: { file: string } }>(
    `${UI_ASSETS_PATH}:file`,
    { schema: { ...hidden, summary: "The web UI's scripts and styles" } },
    (request, reply) => {
      if (assets === undefined)
        return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
      const asset = assets.get(request.params.file);
      if (asset === undefined || request.params.file === SHELL) {
        reply.callNotFound();
        return reply;
      }
      // Rebuilt files keep their names: revalidated each time (ETag), cheap with a 304.
      reply
        .header('cache-control', 'no-cache')
        .header('cross-origin-resource-policy', 'same-origin');
      return send(request, reply, asset);
    },
  );
}

export function uiExtension(options: UiExtensionOptions = {}): ServiceExtension {
  return {
    name: 'web UI',
    register: (app, context) => {
      const assets = loadAssets(options.assetsDirectory);
      if (assets === undefined) app.log.warn(NOT_BUILT.trim());
      const editors = new Editors(() =>
        app.hasDecorator('wopi') ? app.wopi.discovery.get() : undefined,
      );
      const endSession = context.config.OIDC_END_SESSION_ENDPOINT;
      const policy = async () =>
        contentSecurityPolicy({
          editorOrigins: (await editors.current()).origins,
          formOrigins: endSession === undefined ? [] : [endSession],
        });
      registerRoutes(app, assets, policy, editors);
    },
  };
}
