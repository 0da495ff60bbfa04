// Who may connect to what: the API only from the edge, the media gateway and editors; the
// frontend and media gateway only from the edge; Redis only from Drive's own pods; workers and
// beat from nobody. Egress stays open: databases, S3 and identity providers live anywhere.
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import { childMeta, type OwnerInstance } from './labels.js';
import { objectNames, REDIS_PORT } from './object-names.js';

interface Peer {
  namespaceSelector?: { matchLabels?: Record<string, string> };
  podSelector?: { matchLabels?: Record<string, string> };
}

const EDGE_POD_LABEL = { traefik: 'traefik', gateway: 'traefik', nginx: 'ingress-nginx' } as const;

export function edgePeers(spec: DriveInstanceSpec): Peer[] {
  const configured = spec.edge.networkPeers;
  if (configured) {
    return configured.map((peer) => ({
      namespaceSelector: peer.namespaceLabels ? { matchLabels: peer.namespaceLabels } : {},
      ...(peer.podLabels ? { podSelector: { matchLabels: peer.podLabels } } : {}),
    }));
  }
  return [
    {
      namespaceSelector: {},
      podSelector: { matchLabels: { 'app.kubernetes.io/name': EDGE_POD_LABEL[spec.edge.type] } },
    },
  ];
}

function componentPeer(drive: string, components: string[]): Peer {
  return {
    podSelector: {
      matchLabels: { 'app.kubernetes.io/name': 'drive', 'app.kubernetes.io/instance': drive },
      ...(components.length > 0
        ? {
            matchExpressions: [
              { key: 'app.kubernetes.io/component', operator: 'In', values: components },
            ],
          }
        : {}),
    },
  };
}

function policy(
  owner: OwnerInstance,
  part: string,
  components: string[],
  from: Peer[] | undefined,
  port?: number | string,
) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(owner, objectNames.edge(owner.name, `allow-${part}`), 'network'),
    spec: {
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'drive',
          'app.kubernetes.io/instance': owner.name,
        },
        matchExpressions: [
          { key: 'app.kubernetes.io/component', operator: 'In', values: components },
        ],
      },
      policyTypes: ['Ingress'],
      ingress:
        from === undefined
          ? []
          : [{ from, ...(port === undefined ? {} : { ports: [{ protocol: 'TCP', port }] }) }],
    },
  };
}

export function networkPolicies(
  owner: OwnerInstance,
  spec: DriveInstanceSpec,
  managedEditors: readonly string[],
): unknown[] {
  const edge = edgePeers(spec);
  // A managed Collabora calls Drive's WOPI endpoints; it carries the WopiClient's labels.
  const editors: Peer[] = managedEditors.map((wopiClient) => ({
    podSelector: {
      matchLabels: {
        'app.kubernetes.io/name': 'collabora',
        'app.kubernetes.io/instance': wopiClient,
      },
    },
  }));
  const objects: unknown[] = [
    policy(
      owner,
      'backend',
      ['backend'],
      [...edge, componentPeer(owner.name, ['media-gateway']), ...editors],
      'http',
    ),
    policy(owner, 'frontend', ['frontend'], edge, 'http'),
    policy(owner, 'media-gateway', ['media-gateway'], edge, 'http'),
    ...(spec.mounts.length > 0 ? [policy(owner, 'mounts', ['mounts'], edge, 'http')] : []),
    // Celery workers and beat serve nothing.
    policy(owner, 'none', ['worker', 'beat', 'migrations', 'maintenance', 'wopi'], undefined),
  ];
  if (spec.redis.managed) {
    objects.push(
      policy(
        owner,
        'redis',
        ['redis'],
        [
          componentPeer(owner.name, [
            'backend',
            'worker',
            'beat',
            'migrations',
            'maintenance',
            'wopi',
            'mounts',
          ]),
        ],
        REDIS_PORT,
      ),
    );
  }
  return objects;
}
