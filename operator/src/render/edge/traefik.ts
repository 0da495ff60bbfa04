// Edge (a): Traefik. The routes and middlewares are decided once (traefikRouting) and written two
// ways: IngressRoutes and Middlewares (traefik.io/v1alpha1) in a cluster, and the file provider's
// dynamic configuration for Compose. The media chain is ForwardAuth, then the path rewrite (after
// the auth step, which must see the original URI), then the headers S3 needs, to the S3 upstream
// with the Host Drive signed for.
import { MOUNTS_PATH } from '../drive-urls.js';
import { childMeta } from '../labels.js';
import { objectNames } from '../object-names.js';
import {
  APP_PATHS,
  EDITOR_AFFINITY_COOKIE,
  EDITOR_BLOCKED_PATHS,
  EDITOR_PATHS,
  HEADERS_DROPPED_BEFORE_S3,
  MEDIA_AUTH_RESPONSE_HEADERS,
  MEDIA_RESPONSE_HEADERS,
  type RoutePlan,
} from './route-plan.js';

const TRAEFIK_API = 'traefik.io/v1alpha1';

/** Where a route sends requests: a Service (cluster) or a Compose service, by name and port. */
export interface TraefikUpstream {
  name: string;
  port: number;
  scheme?: 'http' | 'https';
  /** False where the upstream must see another Host than the client's (S3). */
  passHostHeader?: boolean;
  sticky?: typeof EDITOR_AFFINITY_COOKIE;
}

export interface TraefikRoute {
  /** Names the router in the file provider; IngressRoute routes carry no name. */
  name: string;
  match: string;
  priority: number;
  /** Middleware parts, in order (see TraefikMiddleware.part). */
  middlewares: string[];
  upstream: TraefikUpstream;
}

export interface TraefikMiddleware {
  /** Suffix of the middleware's name, after the DriveInstance name. */
  part: string;
  spec: Record<string, unknown>;
}

export interface TraefikRouting {
  middlewares: TraefikMiddleware[];
  routes: TraefikRoute[];
}

function middlewareObject(plan: RoutePlan, { part, spec }: TraefikMiddleware) {
  return {
    apiVersion: TRAEFIK_API,
    kind: 'Middleware',
    metadata: childMeta(plan.owner, objectNames.edge(plan.owner.name, part), 'edge'),
    spec,
  };
}

export function pathRule(host: string, paths: readonly string[]): string {
  const prefixes = paths.map((path) => `PathPrefix(\`${path}\`)`);
  return `Host(\`${host}\`) && ${prefixes.length === 1 ? (prefixes[0] ?? '') : `(${prefixes.join(' || ')})`}`;
}

function mediaAuth(plan: RoutePlan): TraefikMiddleware {
  return {
    part: 'media-auth',
    spec: {
      forwardAuth: {
        address: plan.media.authUrl,
        // X-Forwarded-* from clients are not trusted; Traefik sets its own.
        trustForwardHeader: false,
        // The session cookie (or a bearer token) is all the auth step needs from the client.
        authRequestHeaders: ['Cookie', 'Authorization'],
        authResponseHeaders: [...MEDIA_AUTH_RESPONSE_HEADERS],
        maxResponseBodySize: 65536,
      },
    },
  };
}

/**
 * Refuses every client: its only purpose is to answer 403 on the editor's blocked paths. It allows
 * only the unspecified addresses, which no TCP peer has; Traefik reads the peer address here (no
 * ipStrategy), which a client cannot forge.
 */
const EDITOR_DENY: TraefikMiddleware = {
  part: 'editor-deny',
  spec: { ipAllowList: { sourceRange: ['0.0.0.0/32', '::/128'] } },
};

/** Host Drive signed for, no X-Forwarded-Host, and the media security headers. */
function mediaUpstream(plan: RoutePlan): TraefikMiddleware {
  return {
    part: 'media-upstream',
    spec: {
      headers: {
        // Host is special-cased by Traefik to the outgoing Host; X-Forwarded-Host would make
        // some S3 servers verify the signature against the Drive host.
        // An empty value removes the header.
        customRequestHeaders: {
          Host: plan.media.upstream.signedHost,
          'X-Forwarded-Host': '',
          ...Object.fromEntries(HEADERS_DROPPED_BEFORE_S3.map((name) => [name, ''])),
        },
        customResponseHeaders: { ...MEDIA_RESPONSE_HEADERS },
      },
    },
  };
}

/** The ForwardAuth middleware of the media chain; the Gateway API edge attaches it too. */
export function mediaAuthMiddleware(plan: RoutePlan) {
  return middlewareObject(plan, mediaAuth(plan));
}

/** The Gateway API edge attaches this one too, on the editor's blocked paths. */
export function editorDenyMiddleware(plan: RoutePlan) {
  return middlewareObject(plan, EDITOR_DENY);
}

export function mediaUpstreamMiddleware(plan: RoutePlan) {
  return middlewareObject(plan, mediaUpstream(plan));
}

/** Every route and middleware of one Drive host, whatever Traefik reads them from. */
export function traefikRouting(plan: RoutePlan): TraefikRouting {
  const { host, media } = plan;
  const s3: TraefikUpstream = {
    name: media.upstream.service,
    port: media.upstream.port,
    scheme: media.upstream.scheme,
    // Host must be the one Drive signed for, not the Drive host.
    passHostHeader: false,
  };
  const mediaChain = ['media-auth', 'media-path', 'media-upstream'];
  const routes: TraefikRoute[] = [
    {
      name: 'app',
      match: pathRule(host, APP_PATHS),
      priority: 30,
      middlewares: ['forwarded-proto'],
      upstream: { name: plan.backend.service, port: plan.backend.port },
    },
    ...(plan.mounts
      ? [
          {
            name: 'mounts',
            match: pathRule(host, [MOUNTS_PATH]),
            priority: 35,
            middlewares: ['forwarded-proto'],
            upstream: { name: plan.mounts.service, port: plan.mounts.port },
          },
        ]
      : []),
    ...(media.headBridge
      ? [
          {
            name: 'media-head',
            match: `${pathRule(host, ['/media/'])} && Method(\`HEAD\`)`,
            priority: 60,
            middlewares: ['media-auth', 'media-head-path', 'media-upstream'],
            // The Host the signature covers goes on to the bridge, which sends it to S3.
            upstream: { name: media.headBridge.service, port: media.headBridge.port },
          },
        ]
      : []),
    {
      name: 'media-preview',
      match: pathRule(host, ['/media/preview/']),
      priority: 50,
      middlewares: mediaChain,
      upstream: s3,
    },
    {
      name: 'media',
      match: pathRule(host, ['/media/']),
      priority: 40,
      middlewares: [...mediaChain, 'media-download'],
      upstream: s3,
    },
    ...plan.editors.flatMap((editor): TraefikRoute[] => [
      {
        name: `editor-${editor.name}-blocked`,
        match: pathRule(editor.host, EDITOR_BLOCKED_PATHS),
        priority: 21,
        middlewares: ['editor-deny'],
        upstream: { name: editor.service, port: editor.port },
      },
      {
        name: `editor-${editor.name}`,
        match: pathRule(editor.host, EDITOR_PATHS),
        priority: 20,
        middlewares: [],
        upstream: {
          name: editor.service,
          port: editor.port,
          ...(editor.replicas > 1 ? { sticky: EDITOR_AFFINITY_COOKIE } : {}),
        },
      },
    ]),
    {
      name: 'frontend',
      match: `Host(\`${host}\`)`,
      priority: 1,
      middlewares: [],
      upstream: { name: plan.frontend.service, port: plan.frontend.port },
    },
  ];
  const middlewares: TraefikMiddleware[] = [
    {
      part: 'forwarded-proto',
      spec: { headers: { customRequestHeaders: { 'X-Forwarded-Proto': 'https' } } },
    },
    mediaAuth(plan),
    {
      part: 'media-path',
      spec: {
        // /media/<key> and /media/preview/<key> are both /<bucket>/<key> in S3. The regex works on
        // the escaped path, so percent-encoding reaches S3 as Drive signed it.
        replacePathRegex: { regex: '^/media/(preview/)?(.*)$', replacement: `/${media.bucket}/$2` },
      },
    },
    mediaUpstream(plan),
    ...(media.headBridge
      ? [
          {
            part: 'media-head-path',
            spec: {
              replacePathRegex: {
                regex: '^/media/(preview/)?(.*)$',
                replacement: `${media.headBridge.prefix}/${media.bucket}/$2`,
              },
            },
          },
        ]
      : []),
    {
      part: 'media-download',
      spec: { headers: { customResponseHeaders: { 'Content-Disposition': 'attachment' } } },
    },
    ...(plan.editors.length > 0 ? [EDITOR_DENY] : []),
  ];
  return { middlewares, routes };
}

function ingressRouteService(upstream: TraefikUpstream) {
  return {
    name: upstream.name,
    port: upstream.port,
    ...(upstream.scheme === undefined ? {} : { scheme: upstream.scheme }),
    ...(upstream.passHostHeader === undefined ? {} : { passHostHeader: upstream.passHostHeader }),
    ...(upstream.sticky === undefined ? {} : { sticky: upstream.sticky }),
  };
}

/** The cluster form: Middlewares and one IngressRoute. */
export function traefikEdge(plan: RoutePlan): unknown[] {
  const { middlewares, routes } = traefikRouting(plan);
  const traefik = plan.spec.edge.traefik;
  return [
    ...middlewares.map((middleware) => middlewareObject(plan, middleware)),
    {
      apiVersion: TRAEFIK_API,
      kind: 'IngressRoute',
      metadata: childMeta(
        plan.owner,
        objectNames.edge(plan.owner.name, 'routes'),
        'edge',
        plan.spec.edge.ingressClassName === undefined
          ? undefined
          : { 'kubernetes.io/ingress.class': plan.spec.edge.ingressClassName },
      ),
      spec: {
        entryPoints: traefik?.entryPoints ?? ['websecure'],
        routes: routes.map((route) => ({
          kind: 'Rule',
          match: route.match,
          priority: route.priority,
          ...(route.middlewares.length === 0
            ? {}
            : {
                middlewares: route.middlewares.map((part) => ({
                  name: objectNames.edge(plan.owner.name, part),
                })),
              }),
          services: [ingressRouteService(route.upstream)],
        })),
        tls: { secretName: plan.tlsSecret },
      },
    },
  ];
}
