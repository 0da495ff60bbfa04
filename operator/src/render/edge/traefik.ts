// Edge (a): Traefik IngressRoutes and Middlewares (traefik.io/v1alpha1). The media chain is
// ForwardAuth, then the path rewrite (after the auth step, which must see the original URI),
// then the headers S3 needs, to the S3 upstream with the Host Drive signed for.
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

function middleware(plan: RoutePlan, part: string, spec: Record<string, unknown>) {
  return {
    apiVersion: TRAEFIK_API,
    kind: 'Middleware',
    metadata: childMeta(plan.owner, objectNames.edge(plan.owner.name, part), 'edge'),
    spec,
  };
}

const ref = (plan: RoutePlan, part: string) => ({ name: objectNames.edge(plan.owner.name, part) });

function pathRule(host: string, paths: readonly string[]): string {
  const prefixes = paths.map((path) => `PathPrefix(\`${path}\`)`);
  return `Host(\`${host}\`) && ${prefixes.length === 1 ? (prefixes[0] ?? '') : `(${prefixes.join(' || ')})`}`;
}

/** The ForwardAuth middleware of the media chain; the Gateway API edge attaches it too. */
export function mediaAuthMiddleware(plan: RoutePlan) {
  return middleware(plan, 'media-auth', {
    forwardAuth: {
      address: plan.media.authUrl,
      // X-Forwarded-* from clients are not trusted; Traefik sets its own.
      trustForwardHeader: false,
      // The session cookie (or a bearer token) is all the auth step needs from the client.
      authRequestHeaders: ['Cookie', 'Authorization'],
      authResponseHeaders: [...MEDIA_AUTH_RESPONSE_HEADERS],
      maxResponseBodySize: 65536,
    },
  });
}

/**
 * Refuses every client: its only purpose is to answer 403 on the editor's blocked paths. It allows
 * only the unspecified addresses, which no TCP peer has; Traefik reads the peer address here (no
 * ipStrategy), which a client cannot forge. The Gateway API edge attaches it too.
 */
export function editorDenyMiddleware(plan: RoutePlan) {
  return middleware(plan, 'editor-deny', {
    ipAllowList: { sourceRange: ['0.0.0.0/32', '::/128'] },
  });
}

/** Host Drive signed for, no X-Forwarded-Host, and the media security headers. */
export function mediaUpstreamMiddleware(plan: RoutePlan) {
  return middleware(plan, 'media-upstream', {
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
  });
}

export function traefikEdge(plan: RoutePlan): unknown[] {
  const { host, media } = plan;
  const s3Service = {
    name: media.upstream.service,
    port: media.upstream.port,
    scheme: media.upstream.scheme,
    // Host must be the one Drive signed for, not the Drive host.
    passHostHeader: false,
  };
  const mediaChain = [
    ref(plan, 'media-auth'),
    ref(plan, 'media-path'),
    ref(plan, 'media-upstream'),
  ];
  const routes: unknown[] = [
    {
      kind: 'Rule',
      match: pathRule(host, APP_PATHS),
      priority: 30,
      middlewares: [ref(plan, 'forwarded-proto')],
      services: [{ name: plan.backend.service, port: plan.backend.port }],
    },
    ...(media.headBridge
      ? [
          {
            kind: 'Rule',
            match: `${pathRule(host, ['/media/'])} && Method(\`HEAD\`)`,
            priority: 60,
            middlewares: [
              ref(plan, 'media-auth'),
              ref(plan, 'media-head-path'),
              ref(plan, 'media-upstream'),
            ],
            // The Host the signature covers goes on to the bridge, which sends it to S3.
            services: [{ name: media.headBridge.service, port: media.headBridge.port }],
          },
        ]
      : []),
    {
      kind: 'Rule',
      match: pathRule(host, ['/media/preview/']),
      priority: 50,
      middlewares: mediaChain,
      services: [s3Service],
    },
    {
      kind: 'Rule',
      match: pathRule(host, ['/media/']),
      priority: 40,
      middlewares: [...mediaChain, ref(plan, 'media-download')],
      services: [s3Service],
    },
    ...plan.editors.flatMap((editor) => [
      {
        kind: 'Rule',
        match: pathRule(editor.host, EDITOR_BLOCKED_PATHS),
        priority: 21,
        middlewares: [ref(plan, 'editor-deny')],
        services: [{ name: editor.service, port: editor.port }],
      },
      {
        kind: 'Rule',
        match: pathRule(editor.host, EDITOR_PATHS),
        priority: 20,
        services: [
          {
            name: editor.service,
            port: editor.port,
            ...(editor.replicas > 1 ? { sticky: EDITOR_AFFINITY_COOKIE } : {}),
          },
        ],
      },
    ]),
    {
      kind: 'Rule',
      match: `Host(\`${host}\`)`,
      priority: 1,
      services: [{ name: plan.frontend.service, port: plan.frontend.port }],
    },
  ];
  const traefik = plan.spec.edge.traefik;
  return [
    middleware(plan, 'forwarded-proto', {
      headers: { customRequestHeaders: { 'X-Forwarded-Proto': 'https' } },
    }),
    mediaAuthMiddleware(plan),
    middleware(plan, 'media-path', {
      // /media/<key> and /media/preview/<key> are both /<bucket>/<key> in S3. The regex works on
      // the escaped path, so percent-encoding reaches S3 as Drive signed it.
      replacePathRegex: { regex: '^/media/(preview/)?(.*)$', replacement: `/${media.bucket}/$2` },
    }),
    mediaUpstreamMiddleware(plan),
    ...(media.headBridge
      ? [
          middleware(plan, 'media-head-path', {
            replacePathRegex: {
              regex: '^/media/(preview/)?(.*)$',
              replacement: `${media.headBridge.prefix}/${media.bucket}/$2`,
            },
          }),
        ]
      : []),
    middleware(plan, 'media-download', {
      headers: { customResponseHeaders: { 'Content-Disposition': 'attachment' } },
    }),
    ...(plan.editors.length > 0 ? [editorDenyMiddleware(plan)] : []),
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
        routes,
        tls: { secretName: plan.tlsSecret },
      },
    },
  ];
}
