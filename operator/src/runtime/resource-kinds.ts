// Where each kind the operator reads or writes lives in the API, without a discovery round trip.

export interface ResourceKind {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const KINDS: ResourceKind[] = [
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  { apiVersion: 'events.k8s.io/v1', kind: 'Event', plural: 'events', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    namespaced: true,
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    namespaced: true,
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    namespaced: true,
  },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses', namespaced: true },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    namespaced: true,
  },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true },
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    plural: 'certificates',
    namespaced: true,
  },
  { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', plural: 'clusters', namespaced: true },
  {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'Middleware',
    plural: 'middlewares',
    namespaced: true,
  },
  {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'IngressRoute',
    plural: 'ingressroutes',
    namespaced: true,
  },
  {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TraefikService',
    plural: 'traefikservices',
    namespaced: true,
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    plural: 'httproutes',
    namespaced: true,
  },
  {
    apiVersion: 'objectbucket.io/v1alpha1',
    kind: 'ObjectBucketClaim',
    plural: 'objectbucketclaims',
    namespaced: true,
  },
  {
    apiVersion: 'ceph.rook.io/v1',
    kind: 'CephObjectStoreUser',
    plural: 'cephobjectstoreusers',
    namespaced: true,
  },
  {
    apiVersion: 'lasuite.selfhost.dev/v1alpha1',
    kind: 'DriveInstance',
    plural: 'driveinstances',
    namespaced: true,
  },
  {
    apiVersion: 'lasuite.selfhost.dev/v1alpha1',
    kind: 'StorageMount',
    plural: 'storagemounts',
    namespaced: true,
  },
  {
    apiVersion: 'lasuite.selfhost.dev/v1alpha1',
    kind: 'OidcClient',
    plural: 'oidcclients',
    namespaced: true,
  },
  {
    apiVersion: 'lasuite.selfhost.dev/v1alpha1',
    kind: 'WopiClient',
    plural: 'wopiclients',
    namespaced: true,
  },
];

export function resourceKind(apiVersion: string, kind: string): ResourceKind {
  const found = KINDS.find((entry) => entry.apiVersion === apiVersion && entry.kind === kind);
  if (!found) throw new Error(`unknown resource ${apiVersion} ${kind}`);
  return found;
}

/** The collection path, e.g. /apis/apps/v1/namespaces/apps/deployments. */
export function collectionPath(resource: ResourceKind, namespace?: string): string {
  const base = resource.apiVersion.includes('/')
    ? `/apis/${resource.apiVersion}`
    : `/api/${resource.apiVersion}`;
  const scope =
    resource.namespaced && namespace !== undefined
      ? `/namespaces/${encodeURIComponent(namespace)}`
      : '';
  return `${base}${scope}/${resource.plural}`;
}

export function objectPath(
  resource: ResourceKind,
  namespace: string | undefined,
  name: string,
): string {
  return `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}`;
}
