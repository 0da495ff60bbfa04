// The ForwardAuth endpoint Traefik calls for /media (anchors §E1): it checks X-Forwarded-Uri,
// asks Drive's media-auth with the X-Original-URL Drive reads, and answers 200 with exactly the S3
// signature headers only when Drive did. Everything else is a refusal or an error, never a 200.
import Fastify, { type FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayConfig } from './config.js';
import { DriveMediaAuth } from './drive-media-auth.js';
import { HEAD_BRIDGE_PREFIX, HeadBridge } from './head-bridge.js';
import { checkMediaUri } from './media-uri.js';

export const AUTH_PATH = '/auth';

type Outcome = 'authorized' | 'denied' | 'refused' | 'failed';

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export async function buildGateway(config: GatewayConfig): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.LOG_LEVEL },
    // Only the auth path and probes exist; nothing here reads a body.
    bodyLimit: 1024,
    disableRequestLogging: true,
  });
  const drive = new DriveMediaAuth(config.DRIVE_MEDIA_AUTH_URL, config.PUBLIC_HOST, {
    connections: config.MAX_CONNECTIONS,
    timeoutMs: config.AUTH_TIMEOUT_MS,
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'media_gateway_requests_total',
    help: 'ForwardAuth requests by outcome: authorized, denied (by Drive), refused (by the URI check), failed (Drive unreachable or wrong).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'media_gateway_auth_duration_seconds',
    help: "Time spent waiting for Drive's media-auth.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  let draining = false;

  app.route({
    method: ['GET', 'HEAD'],
    url: AUTH_PATH,
    handler: async (request, reply) => {
      const done = (outcome: Outcome) => {
        requests.inc({ outcome });
      };
      const checked = checkMediaUri(header(request.headers['x-forwarded-uri']));
      if (!checked.ok) {
        done('refused');
        request.log.info({ reason: checked.reason }, 'media URI refused');
        return reply
          .code(403)
          .type('application/json')
          .send(JSON.stringify({ detail: `Refused: ${checked.reason}.` }));
      }
      const stop = duration.startTimer();
      const cookie = header(request.headers.cookie);
      const authorization = header(request.headers.authorization);
      const forwardedFor = header(request.headers['x-forwarded-for']);
      const answer = await drive.authorize({
        uri: checked.uri,
        method: header(request.headers['x-forwarded-method']) === 'HEAD' ? 'HEAD' : 'GET',
        ...(cookie ? { cookie } : {}),
        ...(authorization ? { authorization } : {}),
        ...(forwardedFor ? { forwardedFor } : {}),
      });
      stop();
      switch (answer.kind) {
        case 'authorized':
          done('authorized');
          return reply.code(200).headers(answer.headers).send();
        case 'denied':
          done('denied');
          return reply
            .code(answer.status)
            .type(answer.contentType ?? 'application/json')
            .send(answer.body);
        case 'failed':
          done('failed');
          request.log.warn({ status: answer.status }, answer.reason);
          return reply.code(answer.status).type('text/plain').send(`${answer.reason}\n`);
      }
    },
  });

  if (config.S3_UPSTREAM_URL) {
    const bridge = new HeadBridge(config.S3_UPSTREAM_URL, {
      connections: config.MAX_CONNECTIONS,
      timeoutMs: config.AUTH_TIMEOUT_MS,
    });
    app.addHook('onClose', () => bridge.close());
    app.route({
      method: 'HEAD',
      url: `${HEAD_BRIDGE_PREFIX}/*`,
      handler: async (request, reply) => {
        const raw = request.raw.url ?? '';
        const path = raw.slice(HEAD_BRIDGE_PREFIX.length).split('?')[0] ?? '';
        // Only what the edge's rewrite produces: /<bucket>/<key>, authorised by the ForwardAuth
        // step before it. The signature in the request decides what S3 serves.
        if (!path.startsWith('/') || request.headers.authorization === undefined)
          return reply.code(403).send();
        const answer = await bridge.head(path, request.headers.host ?? '', request.headers);
        return reply.code(answer.status).headers(answer.headers).send();
      },
    });
  }

  app.get('/healthz', (_request, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', (_request, reply) =>
    draining
      ? reply.code(503).type('text/plain').send('draining\n')
      : reply.type('text/plain').send('ok\n'),
  );
  app.get('/metrics', async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );

  app.addHook('onClose', async () => {
    await drive.close();
  });
  app.addHook('preClose', () => {
    draining = true;
  });
  return app;
}
