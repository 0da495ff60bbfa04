// Edge (c): Gateway API HTTPRoutes. The standard channel has no auth filter, so the auth step is
// a Traefik ForwardAuth Middleware attached through an ExtensionRef filter, listed first so it
// sees the original path; the standard URLRewrite then maps /media/ to /<bucket>/.
import { MOUNTS_PATH } from '../drive-urls.js';
import { childMeta } from '../labels.js';
import { objectNames } from '../object-names.js';
import {
  APP_PATHS,
  EDITOR_AFFINITY_COOKIE,
  EDITOR_BLOCKED_PATHS,
  EDITOR_PATHS,
  type RoutePlan,
} from './route-plan.js';
import { editorDenyMiddleware, mediaAuthMiddleware, mediaUpstreamMiddleware } from './traefik.js';

const prefix = (value: string) => ({ path: { type: 'PathPrefix', value } });

function httpRoute(plan: RoutePlan, part: string, hostnames: string[], rules: unknown[]) {
  const gateway = plan.spec.edge.gateway;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: childMeta(plan.owner, objectNames.edge(plan.owner.name, part), 'edge'),
    spec: {
      parentRefs: (gateway?.parentRefs ?? []).map((parent) => ({
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        name: parent.name,
        ...(parent.namespace === undefined ? {} : { namespace: parent.namespace }),
        ...(parent.sectionName === undefined ? {} : { sectionName: parent.sectionName }),
      })),
      hostnames,
      rules,
    },
  };
}

function extensionRef(plan: RoutePlan, part: string) {
  return {
    type: 'ExtensionRef',
    extensionRef: {
      group: 'traefik.io',
      kind: 'Middleware',
      name: objectNames.edge(plan.owner.name, part),
    },
  };
}

function mediaRule(plan: RoutePlan, pathPrefix: string, download: boolean) {
  const { media } = plan;
  return {
    matches: [prefix(pathPrefix)],
    filters: [
      extensionRef(plan, 'media-auth'),
      {
        type: 'URLRewrite',
        urlRewrite: {
          path: { type: 'ReplacePrefixMatch', replacePrefixMatch: `/${media.bucket}/` },
        },
      },
      // Host (with its port) cannot be set by a standard filter; the Traefik headers middleware can.
      extensionRef(plan, 'media-upstream'),
      ...(download
        ? [
            {
              type: 'ResponseHeaderModifier',
              responseHeaderModifier: {
                set: [{ name: 'Content-Disposition', value: 'attachment' }],
              },
            },
          ]
        : []),
    ],
    backendRefs: [{ name: media.upstream.service, port: media.upstream.port }],
  };
}

/** A HEAD, authorised and rewritten like a download, to the media gateway's HEAD bridge. */
function headBridgeRule(plan: RoutePlan, pathPrefix: string) {
  const { media } = plan;
  if (!media.headBridge) return [];
  return [
    {
      matches: [{ ...prefix(pathPrefix), method: 'HEAD' }],
      filters: [
        extensionRef(plan, 'media-auth'),
        {
          type: 'URLRewrite',
          urlRewrite: {
            path: {
              type: 'ReplacePrefixMatch',
              replacePrefixMatch: `${media.headBridge.prefix}/${media.bucket}/`,
            },
          },
        },
        extensionRef(plan, 'media-upstream'),
      ],
      backendRefs: [{ name: media.headBridge.service, port: media.headBridge.port }],
    },
  ];
}

export function gatewayApiEdge(plan: RoutePlan): unknown[] {
  const backendRef = (target: { service: string; port: number }) => [
    { name: target.service, port: target.port },
  ];
  const objects: unknown[] = [
    mediaAuthMiddleware(plan),
    mediaUpstreamMiddleware(plan),
    httpRoute(
      plan,
      'routes',
      [plan.host],
      [
        {
          matches: APP_PATHS.map(prefix),
          filters: [
            {
              type: 'RequestHeaderModifier',
              requestHeaderModifier: { set: [{ name: 'X-Forwarded-Proto', value: 'https' }] },
            },
          ],
          backendRefs: backendRef(plan.backend),
        },
        ...(plan.mounts
          ? [
              {
                matches: [prefix(MOUNTS_PATH)],
                filters: [
                  {
                    type: 'RequestHeaderModifier',
                    requestHeaderModifier: {
                      set: [{ name: 'X-Forwarded-Proto', value: 'https' }],
                    },
                  },
                ],
                backendRefs: backendRef(plan.mounts),
              },
            ]
          : []),
        ...headBridgeRule(plan, '/media/preview/'),
        mediaRule(plan, '/media/preview/', false),
        ...headBridgeRule(plan, '/media/'),
        mediaRule(plan, '/media/', true),
        { matches: [prefix('/')], backendRefs: backendRef(plan.frontend) },
      ],
    ),
  ];
  if (plan.editors.length > 0) objects.push(editorDenyMiddleware(plan));
  // The Gateway API has no hashing on a query parameter, and session persistence (GEP-1619) is
  // experimental-channel only. This edge already relies on Traefik (ExtensionRef Middlewares),
  // whose Gateway provider also accepts a TraefikService backend: with more than one replica the
  // route goes through one carrying the affinity cookie.
  for (const editor of plan.editors) {
    const sticky = objectNames.edge(plan.owner.name, `editor-${editor.name}-sticky`);
    objects.push(
      httpRoute(
        plan,
        `editor-${editor.name}`,
        [editor.host],
        [
          // The longest matching prefix wins, so these beat /cool/ and /browser/.
          {
            matches: EDITOR_BLOCKED_PATHS.map(prefix),
            filters: [extensionRef(plan, 'editor-deny')],
            backendRefs: [{ name: editor.service, port: editor.port }],
          },
          {
            matches: EDITOR_PATHS.map(prefix),
            backendRefs:
              editor.replicas > 1
                ? [{ group: 'traefik.io', kind: 'TraefikService', name: sticky }]
                : [{ name: editor.service, port: editor.port }],
          },
        ],
      ),
    );
    if (editor.replicas > 1)
      objects.push({
        apiVersion: 'traefik.io/v1alpha1',
        kind: 'TraefikService',
        metadata: childMeta(plan.owner, sticky, 'edge'),
        spec: {
          weighted: {
            services: [{ name: editor.service, port: editor.port, sticky: EDITOR_AFFINITY_COOKIE }],
          },
        },
      });
  }
  return objects;
}
