// Names of the objects the operator derives from a resource. The operator, offline rendering and
// Compose all use these, so a Secret the renderer references is the one the controller writes.

export const objectNames = {
  /** Secret holding values the operator generates once (DJANGO_SECRET_KEY and the like). */
  generatedSecret: (drive: string) => `${drive}-generated`,
  /** ConfigMap with Drive's non-secret environment. */
  envConfigMap: (drive: string) => `${drive}-env`,
  backendService: (drive: string) => `${drive}-backend`,
  /** Secret holding the URL of the managed Redis. */
  redisSecret: (drive: string) => `${drive}-redis`,
  /** CloudNativePG Cluster created for spec.database.cloudNativePG. */
  databaseCluster: (drive: string) => `${drive}-db`,
  /** The Secret CloudNativePG writes for a cluster's application user. */
  cloudNativePGAppSecret: (cluster: string) => `${cluster}-app`,
  /** Bucket credentials the operator writes (providers rgw and seaweedfs, rook with a user). */
  storageCredentialsSecret: (mount: string) => `${mount}-s3-credentials`,
  /** Rook names the Secret and ConfigMap of an ObjectBucketClaim after the claim. */
  objectBucketClaim: (mount: string) => mount,
  /** Client credentials the operator writes (dynamic registration, Keycloak). */
  oidcCredentialsSecret: (client: string) => `${client}-oidc-credentials`,
} as const;

/** Host names the backend Service answers to inside the cluster. */
export function backendServiceHosts(drive: string, namespace: string): string[] {
  const service = objectNames.backendService(drive);
  return [service, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}
