// Edge (b): Ingresses with ingress-nginx annotations, as Drive's upstream chart does. The auth
// subrequest carries X-Original-URL by itself; this edge needs no gateway.
import { MOUNTS_PATH } from '../drive-urls.js';
import { childMeta } from '../labels.js';
import { objectNames, serviceUrl } from '../object-names.js';
import {
  APP_PATHS,
  EDITOR_BLOCKED_PATHS,
  EDITOR_PATHS,
  HEADERS_DROPPED_BEFORE_S3,
  MEDIA_AUTH_RESPONSE_HEADERS,
  type RoutePlan,
} from './route-plan.js';

const ANNOTATION = 'nginx.ingress.kubernetes.io';

function ingress(
  plan: RoutePlan,
  part: string,
  host: string,
  annotations: Record<string, string>,
  paths: { path: string; pathType: string; service: string; port: number }[],
) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: childMeta(plan.owner, objectNames.edge(plan.owner.name, part), 'edge', annotations),
    spec: {
      ingressClassName: plan.spec.edge.ingressClassName ?? 'nginx',
      tls: [{ hosts: [host], secretName: plan.tlsSecret }],
      rules: [
        {
          host,
          http: {
            paths: paths.map((entry) => ({
              path: entry.path,
              pathType: entry.pathType,
              backend: { service: { name: entry.service, port: { number: entry.port } } },
            })),
          },
        },
      ],
    },
  };
}

function bodySize(bytes: number): string {
  return `${String(Math.ceil(bytes / (1024 * 1024)))}m`;
}

export function ingressNginxEdge(plan: RoutePlan): unknown[] {
  const { media } = plan;
  const authHeaders = objectNames.edge(plan.owner.name, 'media-auth-headers');
  const upstreamHeaders = objectNames.edge(plan.owner.name, 'media-upstream-headers');
  // The auth subrequest goes straight to the backend Service (a Host Drive allows); Django's SSL
  // redirect needs to be told the original request was https.
  const mediaAnnotations = (rewrite: string) => ({
    [`${ANNOTATION}/auth-url`]: serviceUrl(
      plan.backend.service,
      plan.owner.namespace,
      plan.backend.port,
      '/api/v1.0/items/media-auth/',
    ),
    [`${ANNOTATION}/auth-proxy-set-headers`]: `${plan.owner.namespace}/${authHeaders}`,
    // Empty values: nginx does not send these client headers on to S3.
    [`${ANNOTATION}/proxy-set-headers`]: `${plan.owner.namespace}/${upstreamHeaders}`,
    [`${ANNOTATION}/auth-response-headers`]: MEDIA_AUTH_RESPONSE_HEADERS.join(', '),
    [`${ANNOTATION}/upstream-vhost`]: media.upstream.signedHost,
    [`${ANNOTATION}/backend-protocol`]: media.upstream.scheme.toUpperCase(),
    [`${ANNOTATION}/use-regex`]: 'true',
    [`${ANNOTATION}/rewrite-target`]: rewrite,
  });
  const s3 = { service: media.upstream.service, port: media.upstream.port };
  const objects: unknown[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: childMeta(plan.owner, authHeaders, 'edge'),
      data: { 'X-Forwarded-Proto': 'https' },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: childMeta(plan.owner, upstreamHeaders, 'edge'),
      data: Object.fromEntries(HEADERS_DROPPED_BEFORE_S3.map((name) => [name, ''])),
    },
    ingress(
      plan,
      'app',
      plan.host,
      { [`${ANNOTATION}/proxy-body-size`]: bodySize(plan.spec.upload.maxFileSizeBytes) },
      [
        ...APP_PATHS.map((path) => ({ path, pathType: 'Prefix', ...plan.backend })),
        ...(plan.mounts ? [{ path: MOUNTS_PATH, pathType: 'Prefix', ...plan.mounts }] : []),
        { path: '/', pathType: 'Prefix', ...plan.frontend },
      ],
    ),
    ingress(plan, 'media', plan.host, mediaAnnotations(`/${media.bucket}/$1`), [
      { path: '/media/(.*)', pathType: 'ImplementationSpecific', ...s3 },
    ]),
    ingress(plan, 'media-preview', plan.host, mediaAnnotations(`/${media.bucket}/$1`), [
      { path: '/media/preview/(.*)', pathType: 'ImplementationSpecific', ...s3 },
    ]),
  ];
  for (const editor of plan.editors) {
    // Every request and websocket of one document reaches the same coolwsd, whoever sends it; set
    // with one replica too, since a rolling update runs two. Both Ingresses send to the same
    // upstream, so both carry its settings, whichever ingress-nginx reads them from.
    const upstream = {
      [`${ANNOTATION}/upstream-hash-by`]: '$arg_WOPISrc',
      // The editing websocket stays open for as long as the document does.
      [`${ANNOTATION}/proxy-read-timeout`]: '3600',
      [`${ANNOTATION}/proxy-send-timeout`]: '3600',
      [`${ANNOTATION}/proxy-body-size`]: bodySize(plan.spec.upload.maxFileSizeBytes),
    };
    const paths = (list: readonly string[]) =>
      list.map((path) => ({
        path,
        pathType: 'Prefix',
        service: editor.service,
        port: editor.port,
      }));
    objects.push(
      ingress(plan, `editor-${editor.name}`, editor.host, upstream, paths(EDITOR_PATHS)),
      // A deny list of every address, unlike an allow list of 127.0.0.1, holds even where the
      // controller trusts X-Forwarded-For.
      ingress(
        plan,
        `editor-${editor.name}-deny`,
        editor.host,
        { ...upstream, [`${ANNOTATION}/denylist-source-range`]: '0.0.0.0/0,::/0' },
        paths(EDITOR_BLOCKED_PATHS),
      ),
    );
  }
  return objects;
}
