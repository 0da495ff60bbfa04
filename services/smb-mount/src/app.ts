// The mounts service as a fastify application: its shared context, the probes and metrics, the
// REST API and uploads, and the extensions (WOPI host, browser sessions, share links) that plug
// their credential resolvers and routes into it.
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyLoggerOptions,
  type FastifyRequest,
} from 'fastify';
import { OPENAPI_PATH, registerOpenApi } from './api/openapi.js';
import { errorAnswer } from './api/errors.js';
import { ListingCache } from './api/listing-cache.js';
import { contentRoutes } from './api/routes-content.js';
import { itemRoutes } from './api/routes-items.js';
import { mountRoutes } from './api/routes-mounts.js';
import { searchRoutes } from './api/routes-search.js';
import { API_PREFIX } from './api/schemas.js';
import { Authenticator } from './auth/authenticator.js';
import { BearerResolver } from './auth/bearer.js';
import type { PrincipalResolver } from './auth/principal.js';
import { userinfoFetcher } from './auth/userinfo.js';
import type { MountsConfig } from './config.js';
import type { ServiceContext } from './context.js';
import { createMetrics, type Metrics } from './metrics.js';
import { MOUNT_STATES, MountRegistry, type MountRegistryOptions } from './mount-registry.js';
import { connectRedis, type RedisHandle } from './redis.js';
import { TempFileLedger } from './uploads/temp-file-ledger.js';
import { uploadRoutes } from './uploads/tus-routes.js';
import { wholeFileRoutes } from './uploads/whole-file.js';

/** What an extension sees while its resolvers are made: everything but the authenticator. */
export type ResolverContext = Omit<ServiceContext, 'auth'>;

/**
 * A part of the service added beside the REST API: the WOPI host, browser sessions, share
 * links. Its resolvers are asked after the bearer token, in the order the extensions are given;
 * its routes get the same error handling, metrics and OpenAPI document as the API's.
 */
export interface ServiceExtension {
  name: string;
  resolvers?(context: ResolverContext): PrincipalResolver[];
  register?(app: FastifyInstance, context: ServiceContext): Promise<void> | void;
}

export interface ServiceOptions {
  extensions?: readonly ServiceExtension[];
  /** A Redis handle to use instead of connecting REDIS_URL (it is closed with the service). */
  redis?: RedisHandle;
  metrics?: Metrics;
  mounts?: Partial<MountRegistryOptions>;
  listingTtlMs?: number;
  /** How long a bearer token's identity is reused before the IdP is asked again. */
  tokenCacheMs?: number;
  userinfoTimeoutMs?: number;
}

export interface Service {
  app: FastifyInstance;
  context: ServiceContext;
  /** Every route, as registered: what the OpenAPI document must cover. */
  routes: { method: string; url: string }[];
  /**
   * Fails readiness at once, keeps serving for `delayMs` (the edge notices), then closes:
   * requests in flight finish, then the SMB connections and Redis close.
   */
  drain(delayMs: number): Promise<void>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without a credential (probes, metrics, the OpenAPI document). */
    public?: boolean;
  }
}

function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
  };
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

export async function createService(
  config: MountsConfig,
  options: ServiceOptions = {},
): Promise<Service> {
  const metrics = options.metrics ?? createMetrics();
  const app = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      // An error is logged by its kind and message; a stack trace is not for the log.
      // (fastify's type insists on a stack; pino takes whatever the serializer returns)
      serializers: { err: errorFields } as unknown as FastifyLoggerOptions['serializers'],
    },
    // Requests are logged once, at their end, by route pattern: a query may hold a path or a
    // share-link token, which the log does not need.
    logController: new LogController({ disableRequestLogging: true }),
    // HEAD is served where it is documented (content), not added to every GET.
    exposeHeadRoutes: false,
    bodyLimit: 64 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });
  const redis =
    options.redis ??
    connectRedis(config.REDIS_URL, (message) => {
      app.log.warn({ redis: message }, 'Redis unreachable');
    });
  const tempFiles = new TempFileLedger(redis.client);
  const mounts = new MountRegistry(config.MOUNTS, {
    tempFiles: (mount) => tempFiles.tracker(mount),
    workers: config.SMB_WORKERS,
    operationTimeoutMs: config.SMB_TIMEOUT_MS,
    onOperation: (mount, operation) => {
      metrics.smbOperations.inc({ mount, operation });
    },
    onConnectError: (mount, error) => {
      app.log.warn({ mount, code: error.code }, error.message);
    },
    onStateChange: (mount, state) => {
      for (const each of MOUNT_STATES)
        metrics.mountState.set({ mount, state: each }, each === state ? 1 : 0);
    },
    ...options.mounts,
  });
  for (const mount of mounts.names) metrics.mountState.set({ mount, state: 'idle' }, 1);
  let draining = false;
  const partial: ResolverContext = {
    config,
    mounts,
    redis,
    metrics,
    listings: new ListingCache({
      ttlMs: options.listingTtlMs ?? 2000,
      maxDirectories: 512,
      maxEntriesPerDirectory: 20_000,
      onLookup: (outcome) => {
        metrics.listingCache.inc({ outcome });
      },
    }),
    draining: () => draining,
  };
  const extensions = options.extensions ?? [];
  const bearer = new BearerResolver({
    fetchClaims: userinfoFetcher(config.OIDC_USERINFO_ENDPOINT, options.userinfoTimeoutMs ?? 5000),
    ttlMs: options.tokenCacheMs ?? 60_000,
    onLookup: (outcome) => {
      metrics.identityLookups.inc({ outcome });
    },
  });
  const resolvers = [
    bearer,
    ...extensions.flatMap((extension) => extension.resolvers?.(partial) ?? []),
  ];
  const context: ServiceContext = { ...partial, auth: new Authenticator(resolvers, config.MOUNTS) };

  const routes: Service['routes'] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });

  app.setErrorHandler((error, request, reply) => {
    const answer = errorAnswer(error);
    if (answer.serverSide) {
      const known = error instanceof Error ? error : new Error(String(error));
      // The message only: a stack trace has no place in the log either.
      request.log.warn(
        { kind: answer.body.error, error: known.name, route: routeOf(request) },
        known.message,
      );
    }
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: 'NotFound', message: 'no such route' }),
  );

  // Authentication comes first, before validation: an anonymous request is a 401 whatever else
  // is wrong with it.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public === true) return;
    // By the route matched, not the raw URL, which may be spelt in ways the router does not take.
    if (!(request.routeOptions.url ?? '').startsWith(`${API_PREFIX}/`)) return;
    await context.auth.identify(request);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request);
    const labels = { method: request.method, route };
    metrics.requests.inc({ ...labels, status: String(reply.statusCode) });
    metrics.requestDuration.observe(labels, reply.elapsedTime / 1000);
    const level = route.startsWith(API_PREFIX) ? 'info' : 'debug';
    request.log[level](
      {
        method: request.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });

  await registerOpenApi(app);

  const probe = { tags: ['service'], security: [] };
  app.get(
    '/healthz',
    { schema: { ...probe, summary: 'Liveness' }, config: { public: true } },
    (_request, reply) => reply.type('text/plain').send('ok\n'),
  );
  app.get(
    '/readyz',
    {
      schema: {
        ...probe,
        summary: 'Readiness: 503 while draining or while Redis is unreachable',
        description: "An SMB server that is down does not fail readiness: see each mount's state.",
      },
      config: { public: true },
    },
    (_request, reply) => {
      if (draining) return reply.code(503).type('text/plain').send('draining\n');
      if (!redis.ready()) return reply.code(503).type('text/plain').send('redis unavailable\n');
      return reply.type('text/plain').send('ok\n');
    },
  );
  app.get(
    '/metrics',
    { schema: { ...probe, summary: 'Prometheus metrics' }, config: { public: true } },
    async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  mountRoutes(app, context);
  itemRoutes(app, context);
  contentRoutes(app, context);
  searchRoutes(app, context);
  uploadRoutes(app, context);
  wholeFileRoutes(app, context);
  for (const extension of extensions) await extension.register?.(app, context);

  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  // Abandoned uploads' temporary files, on whichever replica gets to them first.
  const stopSweeping = tempFiles.start(
    (mount) => (mounts.config(mount) === undefined ? undefined : mounts.backend(mount)),
    (swept) => {
      metrics.tempFilesSwept.inc(swept.removed);
      if (swept.removed + swept.refused > 0) app.log.info({ swept }, 'abandoned temporary files');
    },
    (error) => {
      app.log.warn({ err: error }, 'sweeping temporary files failed');
    },
  );
  app.addHook('onClose', async () => {
    stopSweeping();
    await mounts.close();
    await redis.close();
  });
  const drain = async (delayMs: number) => {
    draining = true;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    await app.close();
  };
  return { app, context, routes, drain };
}

export { OPENAPI_PATH };
